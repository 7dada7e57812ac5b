import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GitLabClient } from '../../../lib/adapters/gitlab/client.js';
import type { ReleaseStore } from '../../../lib/ports.js';
import { registerGate } from '../../../lib/services/gate.js';
import { runStep } from '../../../lib/services/steps/run-step.js';
import { type ActionWorld, actionWorld } from '../../support/action-world.js';

/**
 * A storage outage between "pipeline started" and the write that records it on its task (issue
 * #10, deviation 4): the action's own record says the pipeline was started, the release does not
 * know it, and GitLab's success webhook arrives while storage is down and is lost. When the step
 * runs again (a retry or a re-drive), secrel must record the pipeline from the action record, or
 * neither a webhook nor reconciliation could ever complete the task and the release would stall.
 * DynamoDB Local holds the release; the fault is one refused release write, as an outage gives.
 */

const RELEASE = '42-7';
const BUILD = 'build-packages@17.5';
const NOWHERE = 'http://127.0.0.1:1/webhooks/gitlab';
const STEP = { releaseId: RELEASE, step: 'action', task: 'build-packages', version: '17.5' } as const;

/** What DynamoDB's client throws while the table cannot be reached. */
const unreachable = () =>
  Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8000'), { code: 'ECONNREFUSED' });

/** The real store, whose chosen writes fail as DynamoDB's do while unreachable. */
function blinkingStore(store: ReleaseStore) {
  let failCommit = false;
  let actionWrites = 0;
  let failActionWrites = new Set<number>();
  const blinking: ReleaseStore = Object.create(store);
  blinking.commit = async (commit) => {
    if (failCommit) {
      failCommit = false;
      throw unreachable();
    }
    return store.commit(commit);
  };
  blinking.finishAction = async (record) => {
    actionWrites += 1;
    if (failActionWrites.has(actionWrites)) throw unreachable();
    return store.finishAction(record);
  };
  return {
    store: blinking,
    failNextCommit: () => {
      failCommit = true;
    },
    /** Fails the action-record writes with these numbers (1 = the next one). */
    failActionWrites: (...next: number[]) => {
      failActionWrites = new Set(next.map((n) => actionWrites + n));
    },
  };
}

let world: ActionWorld;
let blink: ReturnType<typeof blinkingStore>;
beforeEach(async () => {
  world = await actionWorld();
  world.gitlab.setWebhook(NOWHERE, 'secret');
  blink = blinkingStore(world.deps.store);
});
afterEach(() => world.close());

describe('a pipeline started while the release write was lost', () => {
  it('is recorded when the step runs again, so reconciliation completes the task and opens its gate', async () => {
    await world.seed();
    const deps = { ...world.deps, store: blink.store };
    blink.failNextCommit();
    await expect(runStep(deps, STEP)).rejects.toThrow();
    expect(world.gitlab.pipelines).toHaveLength(1);
    const id = world.gitlab.pipelines[0]?.id ?? 0;
    expect((await deps.store.get(RELEASE))?.tasks[BUILD]?.lastPipeline).toBeUndefined();

    // GitLab finishes the pipeline; its webhook goes nowhere.
    expect((await world.gitlab.completePipeline(id, 'success')).status).toBe(0);

    const again = await runStep(deps, STEP);
    expect(again).toMatchObject({ outcome: 'already-done', pipelineId: id });
    expect(world.gitlab.pipelines).toHaveLength(1);
    expect((await deps.store.get(RELEASE))?.tasks[BUILD]?.lastPipeline).toMatchObject({
      pipelineId: id,
      projectId: 42,
      ref: '17-5-stable',
    });

    await registerGate(deps, { releaseId: RELEASE, gate: `pipeline:${BUILD}`, token: 'tok-build' });
    world.at('2026-12-01T20:00:00Z');
    await runStep(deps, { releaseId: RELEASE, step: 'remind', gate: 'phase:day-three' });
    expect((await deps.store.get(RELEASE))?.tasks[BUILD]).toMatchObject({
      status: 'done',
      via: 'automation',
    });
    expect(world.workflow.successes.map((s) => s.token)).toEqual(['tok-build']);
  });

  it('is recorded once, however often the step runs again', async () => {
    await world.seed();
    const deps = { ...world.deps, store: blink.store };
    blink.failNextCommit();
    await expect(runStep(deps, STEP)).rejects.toThrow();
    await runStep(deps, STEP);
    await runStep(deps, STEP);
    const timeline = await deps.store.timeline(RELEASE);
    expect(timeline.filter((e) => e.kind === 'pipeline-started')).toHaveLength(1);
    expect(world.gitlab.pipelines).toHaveLength(1);
  });

  it('asks GitLab for the project of a path target when the attempt that got its answer was cut off', async () => {
    await world.close();
    world = await actionWorld({
      otherProjects: [{ id: 43, path: 'acme/omnibus', defaultBranch: 'master' }],
      pipelines: { 'build-packages': { project: 'acme/omnibus', ref: '{version}-stable' } },
    });
    world.gitlab.setWebhook(NOWHERE, 'secret');
    blink = blinkingStore(world.deps.store);
    await world.seed();
    const deps = { ...world.deps, store: blink.store };
    // Writes 1-2 keep the pipeline part (in flight, then its id); storage is gone from write 3 on.
    blink.failActionWrites(3, 4);
    await expect(runStep(deps, STEP)).rejects.toThrow();
    expect(world.gitlab.pipelines).toHaveLength(1);

    await runStep(deps, STEP);
    expect(world.gitlab.pipelines).toHaveLength(1);
    expect((await deps.store.get(RELEASE))?.tasks[BUILD]?.lastPipeline).toMatchObject({
      pipelineId: world.gitlab.pipelines[0]?.id,
      projectId: 43,
    });
  });

  it('finds the pipeline GitLab started when the write of its id was lost, and starts no second one', async () => {
    await world.seed();
    const deps = { ...world.deps, store: blink.store };
    // Write 1 marks the call in flight; writes 2 (its answer) and 3 (the attempt's failure) are
    // lost with storage, so the record says the call is in flight.
    blink.failActionWrites(2, 3);
    await expect(runStep(deps, STEP)).rejects.toThrow();
    expect(world.gitlab.pipelines).toHaveLength(1);

    const again = await runStep(deps, STEP);
    expect(world.gitlab.pipelines).toHaveLength(1);
    const id = world.gitlab.pipelines[0]?.id;
    expect(again).toMatchObject({ outcome: 'pipeline-started', pipelineId: id });
    expect((await deps.store.get(RELEASE))?.tasks[BUILD]?.lastPipeline).toMatchObject({ pipelineId: id });
  });

  it('starts the pipeline when the cut-off call never reached GitLab', async () => {
    await world.seed();
    // A client that gives up after 200 ms; GitLab answers the first start only after a second, and refuses it.
    const gitlab = new GitLabClient({ host: world.gitlab.url, token: world.gitlab.token, timeoutMs: 200 });
    const deps = { ...world.deps, gitlab };
    world.gitlab.failRequests({ method: 'POST', path: /pipeline$/, status: 500, times: 1, delayMs: 1_000 });
    await expect(runStep(deps, STEP)).rejects.toThrow();
    expect(world.gitlab.pipelines).toHaveLength(0);
    // No answer: whether GitLab started it is unknown, so the part stays in flight.
    const record = (await deps.store.listActions(RELEASE)).find((r) => r.action === 'build-packages');
    expect(record?.result?.['part:pipeline']).toBe('inflight');

    const again = await runStep(deps, STEP);
    expect(again.outcome).toBe('pipeline-started');
    expect(world.gitlab.pipelines).toHaveLength(1);
    // GitLab was asked first: nothing on the ref carried this release's variables.
    expect(world.gitlab.calls.filter((c) => c.method === 'GET' && /pipelines$/.test(c.path))).toHaveLength(1);
  });
});
