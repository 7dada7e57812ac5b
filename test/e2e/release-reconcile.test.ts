import { randomUUID } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { taskKey } from '../../lib/core/tasks.js';
import type { FakePipeline } from '../../lib/local/fakes/gitlab/state.js';
import { startRehearsalWorld } from '../../lib/local/rehearsal/world.js';
import { E2E_SPEED } from '../support/rehearsal-world.js';
import { expectEachActionOnce } from './support/once-each.js';
import { playStory } from './support/storyline.js';

/**
 * Reconciliation on resume (issue #10, deviation 4), end to end: DynamoDB Local, the generated ASL
 * on the local engine, ingress over HTTP, the fake GitLab through gitbeaker. Local mode crashes
 * (as kill -9 leaves it: see `LocalRuntime.crash`) after it started the 17.5 publish pipeline;
 * that pipeline succeeds while secrel is down, so GitLab's Pipeline Hook finds nobody and is lost
 * (GitLab does not resend a delivery that got no answer at all here). After the restart secrel reads the pipeline back from GitLab, the task
 * completes through the webhook's own rule, and disclosure follows; no action is done twice.
 */

const PUBLISH_17_5 = taskKey('publish-packages', '17.5');

const isPublish175 = (p: FakePipeline): boolean =>
  p.variables.SECREL_ACTION === 'publish-packages' && p.variables.SECREL_VERSION === '17.5';

describe('local mode down between "publish pipeline started" and its success webhook', () => {
  it('completes the task from GitLab’s answer after the restart, and disclosure follows', async () => {
    const w = await startRehearsalWorld({
      dynamoEndpoint: inject('dynamoEndpoint'),
      tableName: `e2e-${randomUUID()}`,
      speed: E2E_SPEED,
      // The 17.5 publication is finished by the test; every other pipeline succeeds on its own.
      pipelines: (pipeline) => (isPublish175(pipeline) ? 'manual' : 'success'),
    });
    try {
      let restarted = false;
      let lostStatus: number | undefined;
      let publishId: number | undefined;
      const releaseId = await playStory(w, {
        timeoutMs: 200_000,
        onTick: async ({ state }) => {
          if (restarted) return;
          const started = state.tasks[PUBLISH_17_5]?.lastPipeline;
          if (started === undefined) return;
          restarted = true;
          publishId = started.pipelineId;
          expect(state.tasks[PUBLISH_17_5]?.status).not.toBe('done');
          // Down as with kill -9: no execution finishes, queued notices are lost, the clock on disk
          // is its last periodic write; GitLab is told nothing.
          await w.runtime.crash();
          const delivery = await w.gitlab.completePipeline(started.pipelineId, 'success');
          lostStatus = delivery.status;
          await w.restart();
        },
        until: ({ releaseId: id, state }) =>
          state.status === 'completed' && w.runtime.workflow.describe(id)?.status !== 'running',
      });
      expect(restarted).toBe(true);
      // The success webhook reached nobody.
      expect(lostStatus).toBe(0);

      const state = await w.runtime.deps.store.get(releaseId);
      expect(state?.status).toBe('completed');
      expect(state?.tasks[PUBLISH_17_5]).toMatchObject({ status: 'done', by: 'secrel', via: 'automation' });
      expect(state?.tasks[PUBLISH_17_5]?.lastPipeline).toMatchObject({
        pipelineId: publishId,
        status: 'success',
      });
      // It was GitLab's answer that completed it: secrel read that very pipeline back.
      const reads = w.gitlab.calls.filter(
        (c) => c.method === 'GET' && c.path.endsWith(`/pipelines/${publishId}`),
      );
      expect(reads.length).toBeGreaterThan(0);
      const timeline = await w.runtime.deps.store.timeline(releaseId);
      expect(
        timeline.filter((e) => e.summary === `${PUBLISH_17_5} done: pipeline ${publishId} succeeded`),
      ).toHaveLength(1);

      // Disclosure followed: the disclose-stage work ran and the execution succeeded.
      expect(w.runtime.workflow.describe(releaseId)?.status).toBe('succeeded');
      // Publication proven, the disclosure steps ran (HackerOne is not linked here: its approval is left to a person).
      const disclosed = Object.entries(state?.tasks ?? {}).filter(([key]) =>
        ['lift-confidentiality', 'update-acknowledgements', 'version-entries'].includes(
          key.split('@')[0] ?? '',
        ),
      );
      expect(disclosed).toHaveLength(5);
      for (const [key, task] of disclosed) expect(task.status, key).toBe('done');

      // Each action once, across the restart.
      expectEachActionOnce(w);
    } finally {
      await w.close();
    }
  }, 260_000);
});
