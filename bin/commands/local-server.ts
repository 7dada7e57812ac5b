import { resolve } from 'node:path';
import { readServerUrl } from '../../lib/local/server-file.js';

/**
 * Where the commands find local mode: the data folder `secrel serve` keeps, and the address of a
 * running server. `serve`, `status` and `connect` share these, so they agree on both.
 */

/** The local data folder: `--data-dir`, else `$SECREL_DATA_DIR`, else `.secrel/` under `cwd`. */
export function localDataDir(
  flag: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  cwd: string = process.cwd(),
): string {
  return resolve(cwd, flag ?? env.SECREL_DATA_DIR ?? '.secrel');
}

/**
 * The running local secrel: `PORT`, else the address `secrel serve` recorded in `dataDir`, else
 * :3000; without a trailing slash.
 */
export function localServerUrl(env: Readonly<Record<string, string | undefined>>, dataDir: string): string {
  const base =
    (env.PORT ? `http://127.0.0.1:${env.PORT}` : undefined) ??
    readServerUrl(dataDir) ??
    'http://127.0.0.1:3000';
  return base.replace(/\/+$/, '');
}
