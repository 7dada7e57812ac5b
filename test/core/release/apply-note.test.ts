import { describe, expect, it } from 'vitest';
import { apply } from '../../../lib/core/release/apply.js';
import { enterPhase } from '../../../lib/core/transitions.js';
import type { ReleaseState } from '../../../lib/core/types/release.js';
import {
  at,
  command,
  ctxAt,
  mrEvent,
  newRelease,
  noteEvent,
  PEOPLE,
  RELEASE_IID,
  replies,
  scheduledRelease,
} from '../release-helpers.js';

/** What a person would check did not move: tasks, schedule, versions, MRs, gates, status. */
function steering(state: ReleaseState) {
  const { tasks, dayOne, slipHours, versions, mergeRequests, linkedMergeRequests, gates, status } = state;
  return { tasks, dayOne, slipHours, versions, mergeRequests, linkedMergeRequests, gates, status };
}

describe('/secrel commands on the release', () => {
  it('a command from an unknown user is refused and changes nothing', () => {
    const release = scheduledRelease();
    const result = command(release, '/secrel done request-cve', PEOPLE.stranger);
    expect(steering(result.state)).toEqual(steering(release));
    expect(replies(result)).toEqual([
      'secrel: refused: @mallory has no role in this release; nothing changed',
    ]);
    expect(result.timeline.map((e) => e.kind)).toEqual(['command-refused']);
  });

  it('a release manager may not abort, and the release goes on', () => {
    const release = scheduledRelease();
    const result = command(release, '/secrel abort we are tired', PEOPLE.manager);
    expect(result.state.status).toBe('scheduled');
    expect(result.effects.some((e) => e.type === 'stop-workflow')).toBe(false);
    expect(replies(result)[0]).toContain('only the security lead may run abort');
  });

  it('an invalid command changes nothing but replies with the reason', () => {
    const release = scheduledRelease();
    const result = command(release, '/secrel slip 100');
    expect(steering(result.state)).toEqual(steering(release));
    expect(replies(result)).toEqual(['secrel: slip hours must be from -72 to 72, not 0, got 100']);
  });

  it('answers every command of a comment, each with its own reply', () => {
    const result = command(
      scheduledRelease(),
      'Doing these now:\n/secrel done request-cve\n/secrel done pre-announcement',
    );
    expect(replies(result)).toEqual([
      'secrel: request-cve done, recorded for @sam.',
      'secrel: pre-announcement done, recorded for @sam.',
    ]);
  });

  it('ignores comments without commands, and comments on other issues', () => {
    const release = scheduledRelease();
    expect(command(release, 'ship it').changed).toBe(false);
    expect(apply(release, noteEvent('/secrel status', { noteableIid: 5 }), ctxAt(5)).changed).toBe(false);
    expect(
      apply(release, noteEvent('/secrel status', { noteableType: 'MergeRequest' }), ctxAt(5)).changed,
    ).toBe(false);
  });

  it('answers a redelivered comment once', () => {
    const note = noteEvent('/secrel done request-cve');
    const first = apply(scheduledRelease(), note, ctxAt(5));
    expect(replies(first)).toHaveLength(1);
    const second = apply(first.state, note, ctxAt(6));
    expect(second).toEqual({ state: first.state, changed: false, timeline: [], effects: [] });
  });

  it('replies on the release issue once secrel created it, even to a command on the vulnerability issue', () => {
    const release = { ...scheduledRelease(), releaseIssue: { projectId: 42, iid: RELEASE_IID } };
    const result = command(release, '/secrel status');
    expect(result.effects[0]).toMatchObject({ type: 'reply', issue: { projectId: 42, iid: RELEASE_IID } });
    const onRelease = apply(release, noteEvent('/secrel status', { noteableIid: RELEASE_IID }), ctxAt(5));
    expect(replies(onRelease)).toHaveLength(1);
  });

  it('never puts a waiver or abort reason on the timeline', () => {
    const waived = command(scheduledRelease(), '/secrel waive request-cve the CVE leaked in ticket 123');
    const aborted = command(scheduledRelease(), '/secrel abort patch reveals the exploit path');
    expect(JSON.stringify([waived.timeline, aborted.timeline])).not.toMatch(/leaked|exploit/);
  });
});

describe('done and waive', () => {
  it('marks a manual task done by its owner, with who and when', () => {
    const result = command(scheduledRelease(), '/secrel done validate-all 17.4', PEOPLE.dev);
    expect(result.state.tasks['validate-all@17.4']).toEqual({
      status: 'done',
      by: 'dave',
      at: at(5),
      via: 'command',
    });
  });

  it('refuses a done for a task owned by another role', () => {
    const release = scheduledRelease();
    const result = command(release, '/secrel done request-cve', PEOPLE.dev);
    expect(result.state.tasks['request-cve']).toEqual({ status: 'open' });
    expect(replies(result)[0]).toContain('request-cve belongs to security lead');
  });

  it('asks for the version of a per-version task when several are affected', () => {
    const result = command(scheduledRelease(), '/secrel done cherry-pick', PEOPLE.manager);
    expect(replies(result)).toEqual(['secrel: name the version: cherry-pick@17.5 (one of 17.5, 17.4, 17.3)']);
  });

  it('takes the only version when one is affected', () => {
    const result = command(scheduledRelease('17.5'), '/secrel done cherry-pick', PEOPLE.manager);
    expect(result.state.tasks['cherry-pick@17.5']?.status).toBe('done');
  });

  it('refuses a version that is not affected, and a version on a once-per-release task', () => {
    expect(replies(command(scheduledRelease(), '/secrel done cherry-pick 16.0'))[0]).toContain(
      '16.0 is not an affected version for cherry-pick (17.5, 17.4, 17.3)',
    );
    expect(replies(command(scheduledRelease(), '/secrel done request-cve 17.5'))[0]).toContain(
      'once per release',
    );
    expect(replies(command(scheduledRelease(), '/secrel done validate-latest 17.4'))[0]).toContain('(17.5)');
  });

  it('does not let anyone mark an automated task done: secrel does it', () => {
    const result = command(scheduledRelease(), '/secrel done publish-packages@17.5');
    expect(result.state.tasks['publish-packages@17.5']).toEqual({ status: 'open' });
    expect(replies(result)[0]).toContain('secrel performs publish-packages@17.5 itself');
  });

  it('lets a person confirm an observed task by hand, and a later signal never reopens it', () => {
    const result = command(scheduledRelease(), '/secrel done deploy-staging', PEOPLE.manager);
    expect(result.state.tasks['deploy-staging']).toMatchObject({ status: 'done', via: 'command' });
    // A new unmerged MR makes the staging signal false; a person's word still stands.
    const later = apply(result.state, mrEvent({ iid: 8, state: 'opened' }), ctxAt(20));
    expect(later.changed).toBe(true);
    expect(later.state.tasks['deploy-staging']).toMatchObject({ status: 'done', via: 'command' });
  });

  it('lets the security lead waive a task with a reason', () => {
    const result = command(scheduledRelease(), '/secrel waive pre-announcement-email no contacts this time');
    expect(result.state.tasks['pre-announcement-email']).toMatchObject({
      status: 'waived',
      by: 'sam',
      reason: 'no contacts this time',
    });
  });

  it('never lets a publication step be waived', () => {
    const result = command(scheduledRelease(), '/secrel waive publish-docker@17.3 no images for 17.3');
    expect(result.state.tasks['publish-docker@17.3']).toEqual({ status: 'open' });
    expect(replies(result)[0]).toContain('cannot be waived');
  });
});

describe('versions, start and slip', () => {
  it('sets the affected versions and expands per-version tasks', () => {
    const result = command(newRelease(), '/secrel versions 17.4,17.5', PEOPLE.manager);
    expect(result.state.versions).toEqual(['17.5', '17.4']);
    expect(Object.keys(result.state.tasks)).toContain('cherry-pick@17.4');
    expect(result.state.status).toBe('planning');
  });

  it('keeps work already done when the versions change', () => {
    const done = command(scheduledRelease(), '/secrel done validate-all@17.5').state;
    const result = command(done, '/secrel versions 17.5,17.4');
    expect(result.state.tasks['validate-all@17.5']?.status).toBe('done');
    expect(result.state.tasks['validate-all@17.3']).toBeUndefined();
  });

  it('schedules the release once Day one and the versions are both set', () => {
    const dated = command(newRelease(), '/secrel start 2026-12-01');
    expect(dated.state).toMatchObject({ dayOne: '2026-12-01', status: 'planning' });
    expect(command(dated.state, '/secrel versions 17.5').state.status).toBe('scheduled');
  });

  it('warns when Day one is already over', () => {
    expect(replies(command(newRelease(), '/secrel start 2026-11-01'))[0]).toContain('already over');
  });

  it('refuses a new Day one once the release runs, and versions once publication starts', () => {
    const running = { ...scheduledRelease(), status: 'running' as const };
    expect(replies(command(running, '/secrel start 2026-12-05'))[0]).toContain('use /secrel slip');
    const publishing = { ...scheduledRelease(), status: 'publishing' as const };
    expect(replies(command(publishing, '/secrel versions 17.5'))[0]).toContain(
      'fixed once publication starts',
    );
  });

  it('adds up slips and refuses one before Day one is set', () => {
    const once = command(scheduledRelease(), '/secrel slip 4', PEOPLE.manager).state;
    expect(command(once, '/secrel slip 20', PEOPLE.manager).state.slipHours).toBe(24);
    expect(replies(command(newRelease(), '/secrel slip 4'))[0]).toContain('set Day one first');
  });
});

describe('re-timing a running schedule (issue #10)', () => {
  const waiting = (token: string) => ({ status: 'waiting' as const, token, since: at(1) });

  it('fails every timed gate the machine waits on with Schedule.Moved on a slip, and leaves a version fix gate alone', () => {
    const release: ReleaseState = {
      ...scheduledRelease(),
      gates: {
        'phase:first-steps': waiting('t-phase'),
        'start:day-one': waiting('t-start'),
        'merged:17.5': waiting('t-merged'),
        'schedule-confirmed': { status: 'open', since: at(1), openedAt: at(2) },
      },
    };
    const result = command(release, '/secrel slip 24', PEOPLE.manager);
    const moved = result.effects.filter((e) => e.type === 'fail-gate');
    expect(moved.map((e) => (e.type === 'fail-gate' ? [e.gate, e.token, e.error] : []))).toEqual([
      ['phase:first-steps', 't-phase', 'Schedule.Moved'],
      ['start:day-one', 't-start', 'Schedule.Moved'],
    ]);
    // The re-timed gates wait for the token of their next wait; the others are untouched.
    expect(result.state.gates['phase:first-steps']?.token).toBeUndefined();
    expect(result.state.gates['merged:17.5']?.token).toBe('t-merged');
    expect(result.state.gates['schedule-confirmed']?.status).toBe('open');
  });

  it('moves earlier with a negative slip, but never so far that a cutoff still ahead lands in the past', () => {
    // Commands run at 2026-11-30 09:05 UTC; First steps end at Day one 00:00, 14 h 55 min later.
    const earlier = command(scheduledRelease(), '/secrel slip -14', PEOPLE.manager);
    expect(earlier.state.slipHours).toBe(-14);
    expect(replies(earlier)[0]).toContain('14 h earlier');
    const tooFar = command(scheduledRelease(), '/secrel slip -15', PEOPLE.manager);
    expect(tooFar.state.slipHours).toBe(0);
    expect(replies(tooFar)[0]).toContain('at most 14 h earlier');
  });

  it('re-times what waits when a new /secrel start moves Day one before the release runs', () => {
    const release: ReleaseState = { ...scheduledRelease(), gates: { 'start:day-one': waiting('t-start') } };
    const result = command(release, '/secrel start 2026-12-03');
    expect(result.effects.filter((e) => e.type === 'fail-gate')).toHaveLength(1);
    expect(result.state.dayOne).toBe('2026-12-03');
  });
});

describe('/secrel retry, and done by hand, for a step that failed for good (issue #10)', () => {
  const failed = (): ReleaseState => ({
    ...scheduledRelease(),
    gates: { 'recover:draft-mr': { status: 'waiting', token: 't-recover', since: at(1) } },
  });

  it('runs the step again: the recovery gate fails with Step.Retry and gives up its token', () => {
    const result = command(failed(), '/secrel retry draft-mr', PEOPLE.manager);
    expect(result.effects.filter((e) => e.type === 'fail-gate')).toEqual([
      expect.objectContaining({ gate: 'recover:draft-mr', token: 't-recover', error: 'Step.Retry' }),
    ]);
    expect(result.state.gates['recover:draft-mr']?.token).toBeUndefined();
    expect(replies(result)[0]).toContain('draft-mr runs again');
  });

  it('refuses a retry of a step that has not failed, and a retry by someone without a say', () => {
    expect(replies(command(scheduledRelease(), '/secrel retry draft-mr', PEOPLE.manager))[0]).toContain(
      'has not failed',
    );
    const stranger = command(failed(), '/secrel retry draft-mr', PEOPLE.stranger);
    expect(stranger.effects.filter((e) => e.type === 'fail-gate')).toEqual([]);
  });

  it('accepts done by hand for an automated step only once it failed', () => {
    expect(replies(command(scheduledRelease(), '/secrel done draft-mr', PEOPLE.manager))[0]).toContain(
      'secrel performs draft-mr itself',
    );
    const done = command(failed(), '/secrel done draft-mr', PEOPLE.manager);
    expect(done.state.tasks['draft-mr']?.status).toBe('done');
    // The recovery gate holds now: the machine goes on where the step would have.
    expect(done.effects.some((e) => e.type === 'open-gate' && e.gate === 'recover:draft-mr')).toBe(true);
  });
});

describe('mr and abort', () => {
  it('links an MR of another configured project by its path', () => {
    const result = command(scheduledRelease(), '/secrel mr acme/product-ee!12', PEOPLE.manager);
    expect(result.state.linkedMergeRequests).toEqual(['43!12']);
    expect(replies(command(result.state, '/secrel mr acme/product-ee!12'))[0]).toContain('already part');
    expect(replies(command(scheduledRelease(), '/secrel mr other/thing!3'))[0]).toContain(
      'not a configured project',
    );
  });

  it('aborts: stops the workflow, and afterwards only status is answered', () => {
    const aborted = command(scheduledRelease(), '/secrel abort fix incomplete');
    expect(aborted.state).toMatchObject({ status: 'aborted', abortedReason: 'fix incomplete' });
    expect(aborted.effects).toContainEqual({
      type: 'stop-workflow',
      releaseId: '42-77',
      reason: 'aborted by @sam',
    });
    const late = command(aborted.state, '/secrel done request-cve');
    expect(late.state.tasks['request-cve']).toEqual({ status: 'open' });
    expect(replies(late)[0]).toContain('this release is aborted');
    expect(replies(command(aborted.state, '/secrel status'))[0]).toContain('aborted');
  });
});

describe('/secrel status', () => {
  it('replies with the status report', () => {
    const reply = replies(command(scheduledRelease(), '/secrel status', PEOPLE.packager))[0] ?? '';
    expect(reply).toContain('### Security release 42-77: scheduled, First steps');
    expect(reply).toContain('#### Open tasks');
  });
});

describe('entering a phase (issue #10)', () => {
  it('spends the phase start gate and never goes back to an earlier phase', () => {
    const release: ReleaseState = {
      ...scheduledRelease(),
      phase: 'day-two',
      gates: { 'start:day-three': { status: 'waiting', token: 't-start', since: at(1) } },
    };
    const entered = enterPhase(release, 'day-three', ctxAt(10));
    expect(entered.state.phase).toBe('day-three');
    expect(entered.state.gates['start:day-three']).toMatchObject({ status: 'open' });
    expect(entered.state.gates['start:day-three']?.token).toBeUndefined();
    expect(enterPhase(entered.state, 'day-one', ctxAt(11)).state.phase).toBe('day-three');
  });
});
