import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registerGate } from '../../../lib/services/gate.js';
import { runStep } from '../../../lib/services/steps/run-step.js';
import { type ActionWorld, actionWorld } from '../../support/action-world.js';
import { readyToPublish } from '../../support/release-builders.js';

let world: ActionWorld;
beforeEach(async () => {
  world = await actionWorld();
});
afterEach(async () => {
  await world.close();
});

const RELEASE = '42-7';
const calls = (method: string, path: RegExp) =>
  world.gitlab.calls.filter((c) => c.method === method && path.test(c.path)).length;

describe('automated actions happen at most once', () => {
  it('creates the confidential release issue once, linked to the vulnerability issue, however often the step runs', async () => {
    await world.seed();
    const first = await runStep(world.deps, {
      releaseId: RELEASE,
      step: 'action',
      task: 'create-release-issue',
    });
    const again = await runStep(world.deps, {
      releaseId: RELEASE,
      step: 'action',
      task: 'create-release-issue',
    });
    expect(first.outcome).toBe('done');
    expect(again.outcome).toBe('already-done');
    const created = world.gitlab.issues.filter((i) => i.title.startsWith('Critical security release'));
    expect(created).toHaveLength(1);
    expect(created[0]?.confidential).toBe(true);
    expect(created[0]?.links).toEqual([{ projectId: 42, iid: 1 }]);
    const state = await world.deps.store.get(RELEASE);
    expect(state?.releaseIssue?.iid).toBe(created[0]?.iid);
    expect(state?.tasks['release-issue']?.status).toBe('done');
  });

  it('creates the patch branch and a draft MR assigned to the release managers when the project has a security branch', async () => {
    await world.seed();
    await runStep(world.deps, { releaseId: RELEASE, step: 'action', task: 'create-patch-branch' });
    await runStep(world.deps, { releaseId: RELEASE, step: 'action', task: 'create-draft-mr' });
    expect(world.gitlab.branches).toEqual([{ projectId: 42, name: 'security-fix-1', ref: 'security-main' }]);
    expect(world.gitlab.mergeRequests).toHaveLength(1);
    expect(world.gitlab.mergeRequests[0]).toMatchObject({
      sourceBranch: 'security-fix-1',
      targetBranch: 'security-main',
    });
    expect(world.gitlab.mergeRequests[0]?.assigneeIds).toEqual([world.gitlab.userId('rm')]);
  });

  it('starts a package pipeline once after GitLab answered 503 twice, with the version in ref and variables', async () => {
    await world.seed();
    world.gitlab.failRequests({ method: 'POST', path: /pipeline$/, status: 503, times: 2 });
    const step = { releaseId: RELEASE, step: 'action', task: 'build-packages', version: '17.5' } as const;
    await expect(runStep(world.deps, step)).rejects.toMatchObject({ name: 'Action.Transient' });
    await expect(runStep(world.deps, step)).rejects.toMatchObject({ name: 'Action.Transient' });
    const started = await runStep(world.deps, step);
    const again = await runStep(world.deps, step);
    expect(started.outcome).toBe('pipeline-started');
    expect(again).toMatchObject({ outcome: 'already-done', pipelineId: started.pipelineId });
    expect(world.gitlab.pipelines).toHaveLength(1);
    expect(world.gitlab.pipelines[0]).toMatchObject({
      ref: '17-5-stable',
      variables: {
        REPOSITORY: 'private',
        SECREL_RELEASE_ID: RELEASE,
        SECREL_ACTION: 'build-packages',
        SECREL_VERSION: '17.5',
      },
    });
    const state = await world.deps.store.get(RELEASE);
    expect(state?.tasks['build-packages@17.5']?.lastPipeline?.pipelineId).toBe(started.pipelineId);
  });

  it('does not repeat an issue creation that was cut off mid-call, and reports it instead', async () => {
    await world.seed();
    await world.deps.store.claimAction({
      releaseId: RELEASE,
      action: 'create-mitigation-issue',
      subject: 'release',
      status: 'started',
      startedAt: '2026-11-30T09:30:00.000Z',
      result: { attempt: 1, 'part:create': 'inflight' },
    });
    const answer = await runStep(world.deps, {
      releaseId: RELEASE,
      step: 'action',
      task: 'create-mitigation-issue',
    });
    expect(answer.outcome).toBe('interrupted');
    expect(calls('POST', /issues$/)).toBe(0);
    const timeline = await world.deps.store.timeline(RELEASE);
    expect(timeline.some((e) => e.kind === 'action-failed' && e.summary.includes('mitigation'))).toBe(true);
  });

  it('hands an action without a configured target to its owners and never counts it done, also when run again', async () => {
    await world.seed();
    const step = { releaseId: RELEASE, step: 'action', task: 'build-test-packages' } as const;
    const answer = await runStep(world.deps, step);
    expect(answer.outcome).toBe('skipped');
    const task = (await world.deps.store.get(RELEASE))?.tasks['build-test-packages'];
    expect(task).toMatchObject({ status: 'open', manual: true });
    // A re-run (a retry after a crash) finds the finished record and still does not complete it.
    expect((await runStep(world.deps, step)).outcome).toBe('skipped');
    expect((await world.deps.store.get(RELEASE))?.tasks['build-test-packages']?.status).toBe('open');
    const timeline = await world.deps.store.timeline(RELEASE);
    expect(timeline.filter((e) => e.kind === 'task-manual')).toHaveLength(1);
    const told = world.gitlab.notes.filter((n) =>
      n.body.includes(
        'build test packages for staging, GitLab.com by hand, then `/secrel done build-test-packages`',
      ),
    );
    expect(told).toHaveLength(1);
  });

  it('names a step with nothing configured as by-hand work in the phase notice', async () => {
    await world.seed();
    await runStep(world.deps, { releaseId: RELEASE, step: 'tell-owners', phase: 'day-three' });
    const notice = world.gitlab.notes.find((n) => n.body.startsWith('### Day three has started'));
    expect(notice?.body).toContain('(`build-test-packages`) — @');
    expect(notice?.body).toContain(
      'nothing is configured for it: do it by hand, then `/secrel done build-test-packages`',
    );
  });
});

describe('nothing public before everything is ready', () => {
  it('never publishes while a backport is unmerged', async () => {
    const ready = readyToPublish();
    const merged = ready.mergeRequests?.['42!2'];
    if (!merged) throw new Error('the ready release has a backport MR for 17.4');
    const open = { ...merged, state: 'opened' as const };
    await world.seed({ ...ready, mergeRequests: { ...ready.mergeRequests, '42!2': open } });
    await expect(
      runStep(world.deps, { releaseId: RELEASE, step: 'action', task: 'publish-packages', version: '17.5' }),
    ).rejects.toMatchObject({ name: 'Action.Failed', message: 'publish gate not open' });
    expect(world.gitlab.pipelines).toHaveLength(0);
  });

  it('publishes once the publish gate holds', async () => {
    await world.seed(readyToPublish());
    const answer = await runStep(world.deps, {
      releaseId: RELEASE,
      step: 'action',
      task: 'publish-packages',
      version: '17.5',
    });
    expect(answer.outcome).toBe('pipeline-started');
    expect((await world.deps.store.get(RELEASE))?.status).toBe('publishing');
  });

  it('never lifts confidentiality before every publish action succeeded', async () => {
    await world.seed(readyToPublish());
    await expect(
      runStep(world.deps, { releaseId: RELEASE, step: 'action', task: 'lift-confidentiality' }),
    ).rejects.toMatchObject({ name: 'Action.Failed' });
    expect(calls('PUT', /issues\/\d+$/)).toBe(0);
  });

  it('lifts confidentiality and thanks reporters once everything is published, and asks the security lead to approve disclosure with the report links', async () => {
    const ready = readyToPublish();
    const tasks = { ...ready.tasks };
    for (const key of Object.keys(tasks)) {
      const id = key.split('@')[0];
      if (
        ['publish-packages', 'publish-docker', 'update-githost', 'publish-code', 'version-entries'].includes(
          id ?? '',
        )
      ) {
        tasks[key] = { status: 'done', by: 'secrel', at: '2026-12-04T20:00:00.000Z', via: 'automation' };
      }
    }
    await world.seed({ ...ready, tasks });
    for (const task of ['lift-confidentiality', 'thank-reporters'] as const) {
      await runStep(world.deps, { releaseId: RELEASE, step: 'action', task });
      await runStep(world.deps, { releaseId: RELEASE, step: 'action', task });
    }
    expect(world.gitlab.issues[0]?.confidential).toBe(false);
    expect(world.gitlab.notes.filter((n) => n.issueIid === 1)).toHaveLength(1);
    expect(world.hackerone).toEqual({ comments: ['h1-100'] });

    // No documented HackerOne call approves a disclosure request: the security lead is asked, once.
    await expect(
      runStep(world.deps, { releaseId: RELEASE, step: 'action', task: 'approve-disclosure' as never }),
    ).rejects.toThrow();
    const before = world.gitlab.notes.length;
    await runStep(world.deps, { releaseId: RELEASE, step: 'ask-owners', task: 'approve-disclosure' });
    await runStep(world.deps, { releaseId: RELEASE, step: 'ask-owners', task: 'approve-disclosure' });
    const asked = world.gitlab.notes.slice(before);
    expect(asked).toHaveLength(1);
    expect(asked[0]?.body).toContain('Approve request(s) for disclosure on HackerOne');
    expect(asked[0]?.body).toContain('`/secrel done approve-disclosure`');
    expect(asked[0]?.body).toContain('- https://hackerone.com/reports/h1-100');
    expect(asked[0]?.body).toContain('@sec-lead');
  });
});

describe('owners hear once per phase start, reminder and escalation', () => {
  it('mentions a phase’s owners exactly once, however often the step runs', async () => {
    await world.seed();
    await runStep(world.deps, { releaseId: RELEASE, step: 'tell-owners', phase: 'day-one' });
    await runStep(world.deps, { releaseId: RELEASE, step: 'tell-owners', phase: 'day-one' });
    expect(world.gitlab.notes).toHaveLength(1);
    expect(world.gitlab.notes[0]?.body).toContain('@dev @rm @sec-lead');
    expect((await world.deps.store.get(RELEASE))?.phase).toBe('day-one');
  });

  it('tells a phase’s owners what earlier phases left open, and answers the phase gate timing', async () => {
    await world.seed();
    world.at('2026-12-02T00:00:10Z');
    const timing = await runStep(world.deps, { releaseId: RELEASE, step: 'tell-owners', phase: 'day-two' });
    expect(timing.cutoff).toBe('2026-12-02T23:59:00Z');
    expect(timing.secondsToReminder).toBeLessThan(timing.secondsToCutoff);
    const body = world.gitlab.notes[0]?.body ?? '';
    expect(body).toContain('### Day two has started');
    expect(body).toContain('Still open from earlier phases');
    expect(body).toContain('`merge-patches`');
  });

  it('escalates a missed cutoff once, naming that cutoff, and again every four hours', async () => {
    await world.seed();
    world.at('2026-12-02T23:59:30Z');
    const timing = await runStep(world.deps, { releaseId: RELEASE, step: 'escalate', gate: 'phase:day-two' });
    await runStep(world.deps, { releaseId: RELEASE, step: 'escalate', gate: 'phase:day-two' });
    expect(timing.cutoff).toBe('2026-12-03T03:59:00Z');
    expect(world.gitlab.notes).toHaveLength(1);
    const mentions = world.gitlab.notes[0]?.body.split('\n')[2] ?? '';
    expect(mentions).toContain('@sec-lead');
    expect(mentions).toContain('@rm');
    world.at('2026-12-03T03:59:10Z');
    const later = await runStep(world.deps, { releaseId: RELEASE, step: 'escalate', gate: 'phase:day-two' });
    expect(later.cutoff).toBe('2026-12-03T07:59:00Z');
    expect(world.gitlab.notes).toHaveLength(2);
    // Day two's cutoff, not the moment of the escalation nor a later phase's cutoff (issue #10, deviation 1).
    for (const note of world.gitlab.notes) {
      expect(note.body).toContain('2026-12-02 23:59 UTC');
      expect(note.body).not.toContain('2026-12-03 23:59 UTC');
    }
  });

  it('answers the schedule from the stored Day one and slip', async () => {
    await world.seed({ slipHours: 6 });
    const schedule = await runStep(world.deps, { releaseId: RELEASE, step: 'schedule' });
    expect(schedule.versions).toEqual(['17.5', '17.4']);
    expect(schedule.phases.dayOne).toEqual({ start: '2026-12-01T06:00:00Z', cutoff: '2026-12-02T05:59:00Z' });
    expect(schedule.phases.dayFourEnd?.cutoff).toBe('2026-12-05T05:59:00Z');
  });
});

describe('gates', () => {
  it('sends the token back at once when the gate already holds', async () => {
    await world.seed();
    const registered = await registerGate(world.deps, {
      releaseId: RELEASE,
      gate: 'schedule-confirmed',
      token: 't-1',
    });
    expect(registered.status).toBe('open');
    expect(world.workflow.successes.map((s) => s.token)).toEqual(['t-1']);
  });

  it('stores the token and waits while the gate does not hold', async () => {
    await world.seed();
    const registered = await registerGate(world.deps, {
      releaseId: RELEASE,
      gate: 'phase:day-one',
      token: 't-2',
    });
    expect(registered.status).toBe('waiting');
    expect(world.workflow.successes).toHaveLength(0);
    expect((await world.deps.store.get(RELEASE))?.gates['phase:day-one']?.token).toBe('t-2');
  });
});
