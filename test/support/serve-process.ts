import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../lib/infra/lambda-function.js';

/**
 * Test and bench support: `secrel serve` as a person starts it in a terminal, in a process group
 * of its own (so "Ctrl-C" can be SIGINT to the whole group: tsx, node and DynamoDB Local's java),
 * on a given port and data folder, with the committed example config.
 */

/** A started `secrel serve`. */
export interface ServeProcess {
  readonly child: ChildProcess;
  readonly url: string;
  /** Output so far (stdout and stderr). */
  output(): string;
  /** Resolves with the exit code once the process has ended. */
  readonly exited: Promise<number | null>;
}

/** Starts `tsx bin/secrel.ts serve` detached (its own process group). */
export function startServe(port: number, dataDir: string): ServeProcess {
  const child = spawn(
    join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx'),
    ['bin/secrel.ts', 'serve', '--port', String(port), '--data-dir', dataDir],
    {
      cwd: PROJECT_ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        SECREL_CONFIG: 'secrel.config.example.json',
        SECREL_WEBHOOK_SECRET: 'serve-process-secret',
      },
    },
  );
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, url: `http://127.0.0.1:${port}`, output: () => text, exited };
}

/** Polls `/healthz` until it answers 200; resolves with the time it took from `since` (ms). */
export async function waitHealthy(url: string, since: number, timeoutMs = 90_000): Promise<number> {
  for (;;) {
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.status === 200) return performance.now() - since;
    } catch {
      // not listening yet
    }
    if (performance.now() - since > timeoutMs)
      throw new Error(`${url}/healthz did not answer in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Pids of processes whose command line mentions `needle` (e.g. the data folder java was given). */
export function processesMentioning(needle: string): number[] {
  const out = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((line) => line.includes(needle) && !line.includes('ps -eo'))
    .map((line) => Number(line.trim().split(/\s+/)[0]))
    .filter((pid) => Number.isInteger(pid) && pid !== process.pid);
}

/** True while any process of the group `pgid` is alive. */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}
