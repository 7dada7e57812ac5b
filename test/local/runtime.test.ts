import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, inject, it } from 'vitest';
import { DEFAULT_PLAYBOOK } from '../../lib/core/default-playbook.js';
import { expandTasks } from '../../lib/core/tasks.js';
import { LATE_TASK, playRelease } from '../../lib/local/rehearsal/play.js';
import { REHEARSAL_VERSIONS, startRehearsalWorld } from '../../lib/local/rehearsal/world.js';

describe('local runtime restart', () => {
  it('resumes a release stopped mid-release on the same data, and GitLab sees no action twice', {
    timeout: 180_000,
  }, async () => {
    const world = await startRehearsalWorld({
      speed: 8_000,
      dynamoEndpoint: inject('dynamoEndpoint'),
      tableName: `restart-${Date.now()}`,
    });
    try {
      let releaseId = '';
      const play = playRelease(world, { onRelease: (id) => (releaseId = id), timeoutMs: 90_000 });
      // Stop in the middle of Day two, once the backports are in.
      for (;;) {
        const state = releaseId
          ? await world.runtime.deps.store.get(releaseId).catch(() => undefined)
          : undefined;
        // The people's Day two beat (merges, /secrel done) must have landed: a webhook sent while
        // local mode is down is lost, as the fake GitLab does not resend it.
        const dayTwo = expandTasks(DEFAULT_PLAYBOOK, [...REHEARSAL_VERSIONS]).filter(
          (i) =>
            i.task.phase === 'day-two' &&
            i.task.id !== LATE_TASK &&
            (i.task.id === 'cherry-pick' || i.task.completion.kind === 'manual'),
        );
        if (state?.phase === 'day-two' && dayTwo.every((i) => state.tasks[i.key]?.status === 'done')) break;
        await sleep(20);
      }
      // Let the webhooks already on their way land first: the fake GitLab does not resend a lost one.
      await world.gitlab.settled();
      const restarted = await world.restart();
      expect(restarted.resumed).toContain(releaseId);
      const result = await play;
      expect(result.outcome).toBe('afterwards');

      const created = world.gitlab.calls.filter((c) => c.method === 'POST' && /\/issues$/.test(c.path));
      const titles = created.map((c) => JSON.stringify((c.body as { title?: string } | undefined)?.title));
      expect(new Set(titles).size).toBe(titles.length);
      const pipelines = world.gitlab.pipelines.map(
        (p) => `${p.variables.SECREL_ACTION}@${p.variables.SECREL_VERSION ?? ''}`,
      );
      expect(new Set(pipelines).size).toBe(pipelines.length);
      expect(world.versionServer.versions.map((v) => v.version).sort()).toEqual(['17.3', '17.4', '17.5']);
    } finally {
      await world.close();
    }
  });
});
