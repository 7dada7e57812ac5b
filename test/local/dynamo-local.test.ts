import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { gone } from '../support/processes.js';

/** Runs the child that starts DynamoDB Local; returns the java pid and how the child ended. */
async function crashChild(mode: 'throw' | 'wait', signal?: NodeJS.Signals) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/dynamo-child.ts', mode], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_NO_WARNINGS: '1' },
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString('utf8');
  });
  child.stderr.on('data', () => undefined);
  const exit = new Promise<string>((resolve) =>
    child.once('exit', (code, sig) => resolve(String(sig ?? code))),
  );
  let pid: number | undefined;
  for (let i = 0; i < 600 && pid === undefined; i += 1) {
    const match = /java pid (\d+)/.exec(out);
    if (match) pid = Number(match[1]);
    else await sleep(50);
  }
  if (signal) child.kill(signal);
  const ended = await exit;
  return { pid, ended };
}

describe('DynamoDB Local never outlives the process that started it', () => {
  it('is stopped when that process dies of an uncaught error', { timeout: 60_000 }, async () => {
    const { pid, ended } = await crashChild('throw');
    expect(pid).toBeGreaterThan(0);
    expect(ended).toBe('1');
    expect(await gone(pid ?? 0)).toBe(true);
  });

  it('is stopped when a SIGTERM nobody handles ends that process, which still dies by the signal', {
    timeout: 60_000,
  }, async () => {
    const { pid, ended } = await crashChild('wait', 'SIGTERM');
    expect(pid).toBeGreaterThan(0);
    expect(ended).toBe('SIGTERM');
    expect(await gone(pid ?? 0)).toBe(true);
  });

  it('is stopped when an unhandled SIGINT (Ctrl-C) ends that process', { timeout: 60_000 }, async () => {
    const { pid, ended } = await crashChild('wait', 'SIGINT');
    expect(ended).toBe('SIGINT');
    expect(await gone(pid ?? 0)).toBe(true);
  });
});
