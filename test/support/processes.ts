import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Child processes for tests that run secrel as a person would (`node --import tsx bin/secrel.ts`)
 * and check what is left running afterwards.
 */

/** A running child with everything it printed so far. */
export interface RunningChild {
  readonly child: ChildProcessWithoutNullStreams;
  /** stdout and stderr, interleaved as received. */
  output(): string;
  /** Resolves once the output matches, rejects if the child exits first or the time runs out. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  /** Resolves with the exit code (or the signal's name) once the child has exited. */
  exited(): Promise<number | string>;
}

/** Starts `secrel <args>` with the given environment (merged over the test's, minus `drop`). */
export function startSecrel(
  args: readonly string[],
  env: Readonly<Record<string, string>>,
  drop: readonly string[] = [],
): RunningChild {
  const childEnv: Record<string, string | undefined> = { ...process.env, NODE_NO_WARNINGS: '1', ...env };
  for (const name of drop) delete childEnv[name];
  const child = spawn(process.execPath, ['--import', 'tsx', 'bin/secrel.ts', ...args], {
    cwd: process.cwd(),
    env: childEnv,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString('utf8');
  });
  child.stderr.on('data', (chunk: Buffer) => {
    out += chunk.toString('utf8');
  });
  const exit = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });
  let done = false;
  void exit.then(() => {
    done = true;
  });
  return {
    child,
    output: () => out,
    exited: () => exit,
    async waitFor(pattern, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const match = pattern.exec(out);
        if (match) return match;
        if (done) throw new Error(`secrel exited before printing ${pattern}:\n${out}`);
        if (Date.now() > deadline) throw new Error(`secrel did not print ${pattern} in time:\n${out}`);
        await sleep(50);
      }
    },
  };
}

/** Runs `secrel <args>` to the end. */
export async function runSecrel(
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): Promise<{ code: number | string; out: string; stdout: string; stderr: string }> {
  const running = startSecrel(args, env);
  let stdout = '';
  let stderr = '';
  running.child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  running.child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  running.child.stdin.end();
  const code = await running.exited();
  return { code, out: running.output(), stdout, stderr };
}

/** Whether a process runs (a zombie nobody reaped counts as gone: it holds no port or file). */
export function isRunning(pid: number): boolean {
  const stat = `/proc/${pid}/stat`;
  if (existsSync(stat)) {
    try {
      // The state letter follows the parenthesised command name.
      const state = readFileSync(stat, 'utf8')
        .replace(/^.*\) /s, '')
        .charAt(0);
      return state !== 'Z' && state !== 'X';
    } catch {
      return false;
    }
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits until a process is gone; false when it still runs after `timeoutMs`. */
export async function gone(pid: number, timeoutMs = 15_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isRunning(pid)) {
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
  return true;
}

/** Pids of java processes whose command line mentions `fragment` (e.g. a DynamoDB data folder). */
export function javaPidsWith(fragment: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (/java$/.test(argv[0] ?? '') && argv.some((arg) => arg.includes(fragment))) pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids.filter(isRunning);
}
