import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runStep } from '../../../lib/services/steps/run-step.js';
import { type ActionWorld, actionWorld } from '../../support/action-world.js';
import { readyToPublish } from '../../support/release-builders.js';

/** Version entries carry the full patch version once a tag or GitLab release proved it. */

let world: ActionWorld;
beforeEach(async () => {
  world = await actionWorld();
});
afterEach(async () => {
  await world.close();
});

describe('version entries', () => {
  it('name the proven patch version, and the affected version when none is known', async () => {
    const ready = readyToPublish();
    await world.seed({
      ...ready,
      status: 'publishing',
      tags: {
        '17.5': {
          tag: 'v17.5.3-ee',
          patchVersion: '17.5.3',
          projectId: 42,
          projectPath: 'acme/product',
          source: 'tag',
          seenAt: '2026-12-04T20:00:00.000Z',
        },
      },
    });
    for (const version of ['17.5', '17.4']) {
      await runStep(world.deps, { releaseId: '42-7', step: 'action', task: 'add-version-entries', version });
    }
    expect(world.versionEntries).toEqual(['17.5.3', '17.4']);
  });
});
