import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../lib/local/dynamo-local.js';
import {
  groupAlive,
  processesMentioning,
  type ServeProcess,
  startServe,
  waitHealthy,
} from '../support/serve-process.js';

/**
 * Ctrl-C in a terminal sends SIGINT to the whole foreground process group (tsx, node and
 * DynamoDB Local's java). `secrel serve` must then stop with nothing left running after 5 s, and
 * a start right after (same port, same data folder) must work.
 */

describe('Ctrl-C stops local mode cleanly', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'secrel-ctrl-c-'));
  const started: ServeProcess[] = [];

  afterAll(() => {
    // Only what this test started, by its own process group.
    for (const proc of started)
      if (proc.child.pid && groupAlive(proc.child.pid)) process.kill(-proc.child.pid, 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function ctrlC(
    proc: ServeProcess,
  ): Promise<{ code: number | null; leftInGroup: boolean; leftJava: number[] }> {
    const pid = proc.child.pid as number;
    process.kill(-pid, 'SIGINT');
    const code = await Promise.race([
      proc.exited,
      new Promise<null>((r) => setTimeout(() => r(null), 5_000)),
    ]);
    // Give the group the rest of the 5 s window, then look.
    const deadline = Date.now() + 5_000;
    while (groupAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    return { code, leftInGroup: groupAlive(pid), leftJava: processesMentioning(join(dataDir, 'dynamodb')) };
  }

  it('leaves no process (java included) 5 s after SIGINT to the group, and starts again right after', async () => {
    const port = await freePort();
    const first = startServe(port, dataDir);
    started.push(first);
    await waitHealthy(first.url, performance.now());
    expect(processesMentioning(dataDir).length).toBeGreaterThan(0);
    const stopped = await ctrlC(first);
    expect(stopped, first.output().slice(-2000)).toEqual({ code: 0, leftInGroup: false, leftJava: [] });

    const second = startServe(port, dataDir);
    started.push(second);
    await waitHealthy(second.url, performance.now());
    const releases = await fetch(`${second.url}/api/releases`);
    expect(releases.status).toBe(200);
    expect(await ctrlC(second)).toEqual({ code: 0, leftInGroup: false, leftJava: [] });
  }, 180_000);
});
