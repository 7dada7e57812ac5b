import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MergeRequestState } from '../../../lib/core/types/release.js';
import { runStep } from '../../../lib/services/steps/run-step.js';
import { type ActionWorld, actionWorld } from '../../support/action-world.js';

/**
 * Two hours before the cutoff that needs the security MRs (Day one's), each MR that is not ready
 * gets one comment mentioning its author and assignees with the reasons: through the real
 * `remind` step, DynamoDB Local and the fake GitLab over HTTP.
 */

let world: ActionWorld;
beforeEach(async () => {
  world = await actionWorld();
});
afterEach(async () => {
  await world.close();
});

const RELEASE = '42-7';
/** Day one's reminder moment: its cutoff is 2026-12-01T23:59Z. */
const DAY_ONE_REMINDER = '2026-12-01T21:59:30Z';

async function openMr(source: string, target: string): Promise<number> {
  const { iid } = await world.deps.gitlab.createMergeRequest(42, {
    sourceBranch: source,
    targetBranch: target,
    title: 'Security fix',
    description: 'Fixes #7',
    assignees: [],
  });
  return iid;
}

function mrState(iid: number, over: Partial<MergeRequestState>): MergeRequestState {
  return {
    projectId: 42,
    iid,
    targetBranch: 'main',
    sourceBranch: `fix-${iid}`,
    version: 'main',
    state: 'opened',
    url: `${world.gitlab.url}/acme/product/-/merge_requests/${iid}`,
    updatedAt: '2026-12-01T10:00:00.000Z',
    ...over,
  };
}

describe('security MR readiness at T-2h', () => {
  it('comments once on an MR that is not ready, mentioning its author and assignees with the reasons', async () => {
    const unready = await openMr('fix-main', 'main');
    const ready = await openMr('fix-17-5', '17-5-stable');
    await world.seed({
      phase: 'day-one',
      mergeRequests: {
        [`42!${unready}`]: mrState(unready, {
          sourceBranch: 'fix-main',
          notReady: ['draft', 'unresolved threads', 'not approved'],
          people: ['dev', 'rm'],
        }),
        [`42!${ready}`]: mrState(ready, {
          sourceBranch: 'fix-17-5',
          targetBranch: '17-5-stable',
          version: '17.5',
          people: ['dev'],
        }),
      },
      pipelines: {
        '42:fix-main': {
          projectId: 42,
          pipelineId: 501,
          ref: 'fix-main',
          status: 'failed',
          updatedAt: '2026-12-01T11:00:00.000Z',
        },
        '42:fix-17-5': {
          projectId: 42,
          pipelineId: 502,
          ref: 'fix-17-5',
          status: 'success',
          updatedAt: '2026-12-01T11:00:00.000Z',
        },
      },
    });
    world.at(DAY_ONE_REMINDER);
    await runStep(world.deps, { releaseId: RELEASE, step: 'remind', gate: 'phase:day-one' });
    await runStep(world.deps, { releaseId: RELEASE, step: 'remind', gate: 'phase:day-one' });

    expect(world.gitlab.mergeRequestNotes).toHaveLength(1);
    const [note] = world.gitlab.mergeRequestNotes;
    expect(note?.issueIid).toBe(unready);
    expect(note?.body).toMatch(
      /^@dev @rm: this merge request is needed by the security release cutoff 2026-12-01 23:59 UTC/,
    );
    for (const reason of ['draft', 'unresolved threads', 'not approved', 'pipeline failed']) {
      expect(note?.body).toContain(`- ${reason}`);
    }
    // The vulnerability issue's title stays in its issue.
    expect(note?.body).not.toContain('secret');
  });

  it('says nothing on MRs at a reminder whose phase needs none', async () => {
    const unready = await openMr('fix-main', 'main');
    await world.seed({
      mergeRequests: {
        [`42!${unready}`]: mrState(unready, { sourceBranch: 'fix-main', notReady: ['draft'] }),
      },
    });
    world.at('2026-12-03T21:59:30Z');
    await runStep(world.deps, { releaseId: RELEASE, step: 'remind', gate: 'phase:day-three' });
    expect(world.gitlab.mergeRequestNotes).toHaveLength(0);
  });
});
