import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registerGate } from '../../lib/services/gate.js';
import { reconcileRelease } from '../../lib/services/reconcile.js';
import { runStep } from '../../lib/services/steps/run-step.js';
import { type ActionWorld, actionWorld } from '../support/action-world.js';

/**
 * Reconciliation at wake-ups (issue #10): a pipeline whose webhook was lost is read back from the
 * fake GitLab over HTTP (gitbeaker) when the machine wakes anyway, and applied through the
 * webhook's own rule: only the very pipeline secrel recorded, on its configured project and ref,
 * completes a task; its gate is then answered as ingress would. DynamoDB Local holds the release.
 */

const RELEASE = '42-7';
const BUILD = 'build-packages@17.5';
/** Nobody listens there: every Pipeline Hook the fake sends is lost. */
const NOWHERE = 'http://127.0.0.1:1/webhooks/gitlab';

let world: ActionWorld;
beforeEach(async () => {
  world = await actionWorld();
  world.gitlab.setWebhook(NOWHERE, 'secret');
});
afterEach(() => world.close());

const pipelineReads = (id: number) =>
  world.gitlab.calls.filter((c) => c.method === 'GET' && c.path.endsWith(`/pipelines/${id}`));

async function startBuild(): Promise<number> {
  await world.seed();
  const started = await runStep(world.deps, {
    releaseId: RELEASE,
    step: 'action',
    task: 'build-packages',
    version: '17.5',
  });
  if (started.pipelineId === undefined) throw new Error('no pipeline started');
  return started.pipelineId;
}

describe('reconciliation at a wake-up', () => {
  it('completes a task from GitLab’s answer at a reminder and opens its gate, and reads a settled pipeline no more', async () => {
    const id = await startBuild();
    await registerGate(world.deps, { releaseId: RELEASE, gate: `pipeline:${BUILD}`, token: 'tok-build' });
    const lost = await world.gitlab.completePipeline(id, 'success');
    expect(lost.status).toBe(0);
    expect((await world.deps.store.get(RELEASE))?.tasks[BUILD]?.status).toBe('open');

    world.at('2026-12-01T20:00:00Z');
    await runStep(world.deps, { releaseId: RELEASE, step: 'remind', gate: 'phase:day-three' });

    const state = await world.deps.store.get(RELEASE);
    expect(state?.tasks[BUILD]).toMatchObject({ status: 'done', by: 'secrel', via: 'automation' });
    expect(state?.tasks[BUILD]?.lastPipeline).toMatchObject({ pipelineId: id, status: 'success' });
    expect(world.workflow.successes.map((s) => s.token)).toEqual(['tok-build']);
    expect(pipelineReads(id)).toHaveLength(1);

    // No polling: a later wake-up does not ask again about a pipeline that is settled.
    await runStep(world.deps, { releaseId: RELEASE, step: 'escalate', gate: 'phase:day-three' });
    expect(pipelineReads(id)).toHaveLength(1);
    expect(world.workflow.successes).toHaveLength(1);
  });

  it('fails the pipeline gate from GitLab’s answer when the lost webhook said failed', async () => {
    const id = await startBuild();
    await registerGate(world.deps, { releaseId: RELEASE, gate: `pipeline:${BUILD}`, token: 'tok-build' });
    await world.gitlab.completePipeline(id, 'failed');
    expect(await reconcileRelease(world.deps, RELEASE)).toEqual({ read: 1, applied: 1 });
    expect((await world.deps.store.get(RELEASE))?.tasks[BUILD]?.status).toBe('open');
    expect(world.workflow.failures).toEqual([{ token: 'tok-build', error: 'Pipeline.Failed' }]);
  });

  it('leaves a task open when the pipeline has not finished, keeping GitLab’s latest word', async () => {
    const id = await startBuild();
    expect(await reconcileRelease(world.deps, RELEASE)).toEqual({ read: 1, applied: 1 });
    const state = await world.deps.store.get(RELEASE);
    expect(state?.tasks[BUILD]?.status).toBe('open');
    // What GitLab said is kept, so the next wake-up compares against it.
    expect(state?.tasks[BUILD]?.lastPipeline?.pipelineId).toBe(id);
    expect(state?.tasks[BUILD]?.lastPipeline?.updatedAt).not.toBe('1970-01-01T00:00:00.000Z');
    expect(world.workflow.successes).toEqual([]);
  });

  it('refuses, as a webhook would, a recorded pipeline GitLab says runs on another ref', async () => {
    await world.seed();
    // A pipeline claiming the task, run on main instead of the configured 17-5-stable.
    const other = await world.deps.gitlab.createPipeline(42, 'main', {
      SECREL_RELEASE_ID: RELEASE,
      SECREL_ACTION: 'build-packages',
      SECREL_VERSION: '17.5',
    });
    await world.gitlab.completePipeline(other.id, 'success');
    const seeded = await world.deps.store.get(RELEASE);
    if (!seeded) throw new Error('no release');
    const tasks = {
      ...seeded.tasks,
      [BUILD]: {
        status: 'open' as const,
        lastPipeline: {
          projectId: 42,
          pipelineId: other.id,
          ref: '17-5-stable',
          status: 'created',
          updatedAt: '1970-01-01T00:00:00.000Z',
        },
      },
    };
    await world.deps.store.commit({
      state: { ...seeded, tasks, revision: seeded.revision + 1 },
      timeline: [],
    });

    await reconcileRelease(world.deps, RELEASE);
    const state = await world.deps.store.get(RELEASE);
    expect(state?.tasks[BUILD]?.status).toBe('open');
    const timeline = await world.deps.store.timeline(RELEASE);
    expect(timeline.map((e) => e.summary).join('\n')).toContain('runs on another ref');
  });

  it('goes on with the step when GitLab cannot answer, and reads again at the next wake-up', async () => {
    const id = await startBuild();
    await world.gitlab.completePipeline(id, 'success');
    world.gitlab.failRequests({
      method: 'GET',
      path: new RegExp(`/pipelines/${id}$`),
      status: 503,
      times: 1,
    });
    world.at('2026-12-01T20:00:00Z');
    await runStep(world.deps, { releaseId: RELEASE, step: 'remind', gate: 'phase:day-three' });
    expect((await world.deps.store.get(RELEASE))?.tasks[BUILD]?.status).toBe('open');
    await runStep(world.deps, { releaseId: RELEASE, step: 'escalate', gate: 'phase:day-three' });
    expect((await world.deps.store.get(RELEASE))?.tasks[BUILD]?.status).toBe('done');
  });
});
