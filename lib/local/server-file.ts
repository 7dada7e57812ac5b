import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';

/**
 * Where a running `secrel serve` says it listens: `server.json` in its data folder, so
 * `secrel status` finds it without `PORT` or `--url`. Removed on an orderly stop; a stale file
 * only makes `status` try an address nobody answers, which it then says.
 */

/** The file's name in the data folder. */
export const SERVER_FILE = 'server.json';

const serverFileSchema = z.object({ url: z.url(), pid: z.number().int() });

/** Records the URL a server listens on (and its process, to remove only its own file). */
export function writeServerFile(dataDir: string, url: string, pid: number = process.pid): void {
  writeFileSync(join(dataDir, SERVER_FILE), `${JSON.stringify({ url, pid })}\n`, { mode: 0o600 });
}

/** The URL recorded in the data folder, if a server wrote one that parses. */
export function readServerUrl(dataDir: string): string | undefined {
  const file = join(dataDir, SERVER_FILE);
  if (!existsSync(file)) return undefined;
  try {
    return serverFileSchema.parse(JSON.parse(readFileSync(file, 'utf8'))).url;
  } catch {
    return undefined;
  }
}

/** Removes the file when it is this process's. */
export function removeServerFile(dataDir: string, pid: number = process.pid): void {
  const file = join(dataDir, SERVER_FILE);
  try {
    const recorded = serverFileSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
    if (recorded.pid === pid) rmSync(file, { force: true });
  } catch {
    // Missing or unreadable: nothing of ours to remove.
  }
}
