import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MergeRequestState } from '../../lib/core/types/release.js';
import { registerGate } from '../../lib/services/gate.js';
import { reconcileRelease } from '../../lib/services/reconcile.js';
import { runStep } from '../../lib/services/steps/run-step.js';
import { type ActionWorld, actionWorld } from '../support/action-world.js';

/**
 * Reconciliation of MRs and the mitigation issue (issue #10, item 4): a Merge Request Hook or an
 * Issue Hook lost while secrel was down or its storage out is read back from the fake GitLab over
 * HTTP (gitbeaker) at the next wake-up, and applied through the webhook's own rule, provenance
 * included: a merge counts toward a version's fix only when the MR already counted or its merger
 * holds a fix role. DynamoDB Local holds the release.
 */

const RELEASE = '42-7';
/** Nobody listens there: every hook the fake sends is lost. */
const NOWHERE = 'http://127.0.0.1:1/webhooks/gitlab';
const WAKE = { releaseId: RELEASE, step: 'remind', gate: 'phase:day-one' } as const;

let world: ActionWorld;
beforeEach(async () => {
  world = await actionWorld();
  world.gitlab.setWebhook(NOWHERE, 'secret');
});
afterEach(() => world.close());

const mrReads = (iid: number) =>
  world.gitlab.calls.filter((c) => c.method === 'GET' && c.path.endsWith(`/merge_requests/${iid}`));

/** A backport for 17.5 opened by `author` in GitLab, and known to the release as its last hook said. */
async function trackedBackport(author: string, countedVia?: MergeRequestState['countedVia']) {
  const { mergeRequest: mr } = await world.gitlab.openMergeRequest({
    project: 42,
    sourceBranch: 'security-fix-17-5',
    targetBranch: '17-5-stable',
    title: 'Fix for 17.5',
    description: 'Fixes the vulnerability',
    author,
  });
  const tracked: MergeRequestState = {
    projectId: 42,
    iid: mr.iid,
    targetBranch: '17-5-stable',
    sourceBranch: 'security-fix-17-5',
    version: '17.5',
    state: 'opened',
    url: mr.webUrl,
    updatedAt: mr.updatedAt,
    ...(countedVia ? { countedVia } : {}),
  };
  await world.seed({ mergeRequests: { [`42!${mr.iid}`]: tracked } });
  return mr;
}

describe('reconciliation of merge requests at a wake-up', () => {
  it('applies a merge whose hook was lost, opens the version’s merged gate, and asks no more once merged', async () => {
    const mr = await trackedBackport('dev', 'role');
    await registerGate(world.deps, { releaseId: RELEASE, gate: 'merged:17.5', token: 'tok-merged' });
    expect((await world.gitlab.mergeMergeRequest(42, mr.iid, 'rm')).status).toBe(0);
    expect((await world.deps.store.get(RELEASE))?.mergeRequests[`42!${mr.iid}`]?.state).toBe('opened');

    await runStep(world.deps, WAKE);

    const state = await world.deps.store.get(RELEASE);
    expect(state?.mergeRequests[`42!${mr.iid}`]).toMatchObject({ state: 'merged', countedVia: 'role' });
    expect(world.workflow.successes.map((s) => s.token)).toEqual(['tok-merged']);
    expect(mrReads(mr.iid)).toHaveLength(1);

    await runStep(world.deps, { ...WAKE, step: 'escalate' });
    expect(mrReads(mr.iid)).toHaveLength(1);
  });

  it('does not count a mention-joined MR merged by someone without a fix role', async () => {
    const mr = await trackedBackport('outsider');
    await registerGate(world.deps, { releaseId: RELEASE, gate: 'merged:17.5', token: 'tok-merged' });
    await world.gitlab.mergeMergeRequest(42, mr.iid, 'packager');

    await runStep(world.deps, WAKE);

    const state = await world.deps.store.get(RELEASE);
    expect(state?.mergeRequests[`42!${mr.iid}`]?.state).toBe('merged');
    expect(state?.mergeRequests[`42!${mr.iid}`]?.countedVia).toBeUndefined();
    expect(world.workflow.successes).toEqual([]);
  });

  it('counts a mention-joined MR once the read-back says a fix role merged it', async () => {
    const mr = await trackedBackport('outsider');
    await registerGate(world.deps, { releaseId: RELEASE, gate: 'merged:17.5', token: 'tok-merged' });
    await world.gitlab.mergeMergeRequest(42, mr.iid, 'dev');

    await runStep(world.deps, WAKE);

    expect((await world.deps.store.get(RELEASE))?.mergeRequests[`42!${mr.iid}`]?.countedVia).toBe('role');
    expect(world.workflow.successes.map((s) => s.token)).toEqual(['tok-merged']);
  });

  it('changes nothing when GitLab says what secrel already knows', async () => {
    const mr = await trackedBackport('dev', 'role');
    const before = await world.deps.store.get(RELEASE);

    await runStep(world.deps, WAKE);

    expect(mrReads(mr.iid)).toHaveLength(1);
    expect((await world.deps.store.get(RELEASE))?.mergeRequests).toEqual(before?.mergeRequests);
  });
});

describe('reconciliation of the mitigation issue at a wake-up', () => {
  it('applies a close whose hook was lost, and asks no more once closed', async () => {
    const issue = world.gitlab.openIssue({ project: 42, title: 'Mitigation', confidential: true });
    await world.seed({
      mitigationIssue: { projectId: 42, iid: issue.iid, url: issue.webUrl, state: 'opened' },
    });
    // Someone closes it in GitLab; its hook is lost.
    await world.deps.gitlab.editIssue(42, issue.iid, { stateEvent: 'close' });

    await runStep(world.deps, WAKE);

    expect((await world.deps.store.get(RELEASE))?.mitigationIssue?.state).toBe('closed');
    const reads = () =>
      world.gitlab.calls.filter((c) => c.method === 'GET' && c.path.endsWith(`/issues/${issue.iid}`));
    const after = reads().length;
    await runStep(world.deps, { ...WAKE, step: 'escalate' });
    expect(reads().length).toBe(after);
  });

  it('reads nothing back for a release that has ended', async () => {
    const issue = world.gitlab.openIssue({ project: 42, title: 'Mitigation', confidential: true });
    const mr = await trackedBackport('dev', 'role');
    const stored = await world.deps.store.get(RELEASE);
    if (!stored) throw new Error('no release');
    await world.deps.store.commit({
      state: {
        ...stored,
        revision: stored.revision + 1,
        status: 'aborted',
        mitigationIssue: { projectId: 42, iid: issue.iid, url: issue.webUrl, state: 'opened' },
      },
      timeline: [],
    });

    expect(await reconcileRelease(world.deps, RELEASE)).toEqual({ read: 0, applied: 0 });
    expect(mrReads(mr.iid)).toHaveLength(0);
  });
});
