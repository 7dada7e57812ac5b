import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { type RehearsalWorld, startRehearsalWorld } from '../../lib/local/rehearsal/world.js';
import { readClockPosition } from '../../lib/local/runtime-files.js';

/**
 * Local mode's release clock survives a kill -9 (issue #10): its position is on disk, never more
 * than a minute of release time behind, without local mode stopping cleanly.
 */

let world: RehearsalWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('the release clock on disk', () => {
  it('is written while local mode runs, at most a minute of release time behind', async () => {
    world = await startRehearsalWorld({
      dynamoEndpoint: inject('dynamoEndpoint'),
      tableName: `clock-${randomUUID()}`,
      speed: 600,
    });
    const { runtime } = world;
    await sleep(300);
    for (let look = 0; look < 5; look += 1) {
      const onDisk = readClockPosition(runtime.dataDir);
      const now = runtime.clock.now();
      expect(onDisk).toBeDefined();
      const behind = now.diff(onDisk ?? now.minus({ days: 1 }), 'seconds').seconds;
      expect(behind).toBeGreaterThanOrEqual(0);
      expect(behind).toBeLessThanOrEqual(60);
      await sleep(37);
    }
  });

  it('is where a restart after a crash goes on from, never more than a minute of release time back', async () => {
    world = await startRehearsalWorld({
      dynamoEndpoint: inject('dynamoEndpoint'),
      tableName: `clock-${randomUUID()}`,
      speed: 600,
    });
    await sleep(300);
    await world.runtime.crash();
    const atCrash = world.runtime.clock.now();
    const restarted = await world.restart();
    const back = atCrash.diff(restarted.clock.now(), 'seconds').seconds;
    expect(back).toBeLessThanOrEqual(60);
  });
});
