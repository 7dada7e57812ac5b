import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runStep } from '../../../lib/services/steps/run-step.js';
import { type ActionWorld, actionWorld } from '../../support/action-world.js';
import { readyToPublish } from '../../support/release-builders.js';

/** Reports attached with `/secrel h1` are used by the disclosure follow-ups, beside config's defaults. */

let world: ActionWorld;
beforeEach(async () => {
  world = await actionWorld();
});
afterEach(async () => {
  await world.close();
});

describe('HackerOne reports attached at run time', () => {
  it('are thanked with the configured one, each once', async () => {
    const ready = readyToPublish();
    const tasks = { ...ready.tasks };
    for (const key of Object.keys(tasks)) {
      if (/^(publish-|update-githost|version-entries)/.test(key)) {
        tasks[key] = { status: 'done', by: 'secrel', at: '2026-12-04T20:00:00.000Z', via: 'automation' };
      }
    }
    await world.seed({ ...ready, tasks, hackerOneReports: ['h1-200', 'h1-100'] });
    await runStep(world.deps, { releaseId: '42-7', step: 'action', task: 'thank-reporters' });
    await runStep(world.deps, { releaseId: '42-7', step: 'action', task: 'thank-reporters' });
    expect(world.hackerone.comments).toEqual(['h1-100', 'h1-200']);
  });
});
