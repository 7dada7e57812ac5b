import { describe, expect, it } from 'vitest';
import { ReleaseRuleError } from '../../lib/core/errors.js';
import { apply } from '../../lib/core/release/apply.js';
import {
  completeAutomatedTask,
  enterPhase,
  recordActionFailure,
  recordGateToken,
  setStatus,
} from '../../lib/core/transitions.js';
import { at, ctxAt, issueEvent, newRelease, scheduledRelease } from './release-helpers.js';

describe('storing a gate token', () => {
  it('stores the token and waits while the gate does not hold', () => {
    const release = newRelease();
    const result = recordGateToken(release, 'schedule-confirmed', 'tok-1', ctxAt(1));
    expect(result.changed).toBe(true);
    expect(result.effects).toEqual([]);
    expect(result.state.gates['schedule-confirmed']).toEqual({
      status: 'waiting',
      token: 'tok-1',
      since: at(1),
    });
    expect(result.state.revision).toBe(release.revision + 1);
    expect(result.timeline.map((e) => e.kind)).toEqual(['gate-waiting']);
  });

  it('opens the gate at once when it already holds', () => {
    const result = recordGateToken(scheduledRelease(), 'schedule-confirmed', 'tok-2', ctxAt(1));
    expect(result.effects).toEqual([{ type: 'open-gate', gate: 'schedule-confirmed', token: 'tok-2' }]);
    expect(result.state.gates['schedule-confirmed']).toMatchObject({ status: 'open', openedAt: at(1) });
  });

  it('changes nothing when the same token is stored twice', () => {
    const first = recordGateToken(scheduledRelease(), 'schedule-confirmed', 'tok-2', ctxAt(1));
    expect(recordGateToken(first.state, 'schedule-confirmed', 'tok-2', ctxAt(2)).changed).toBe(false);
  });

  it('answers a re-driven execution (new token) for a gate already open at once', () => {
    const first = recordGateToken(scheduledRelease(), 'schedule-confirmed', 'tok-2', ctxAt(1));
    const again = recordGateToken(first.state, 'schedule-confirmed', 'tok-3', ctxAt(2));
    expect(again.effects).toEqual([{ type: 'open-gate', gate: 'schedule-confirmed', token: 'tok-3' }]);
  });

  it('fails a pipeline gate at once when its pipeline already failed before the token arrived', () => {
    const release = scheduledRelease();
    const failed = {
      ...release,
      tasks: {
        ...release.tasks,
        'build-packages@17.5': {
          status: 'open',
          lastPipeline: { projectId: 42, pipelineId: 7, status: 'failed', updatedAt: at(1) },
        },
      },
    } as const;
    const result = recordGateToken(failed, 'pipeline:build-packages@17.5', 'tok-4', ctxAt(2));
    expect(result.effects).toEqual([
      {
        type: 'fail-gate',
        gate: 'pipeline:build-packages@17.5',
        token: 'tok-4',
        error: 'Pipeline.Failed',
        cause: 'pipeline for build-packages@17.5 failed',
      },
    ]);
    expect(result.state.gates['pipeline:build-packages@17.5']?.status).toBe('failed');
  });

  it('refuses a gate id it does not know', () => {
    expect(() => recordGateToken(newRelease(), 'launch', 'tok', ctxAt(1))).toThrow(ReleaseRuleError);
  });
});

describe('completing automated tasks', () => {
  it('marks the task done by secrel, once', () => {
    const release = scheduledRelease();
    const result = completeAutomatedTask(release, 'publish-packages@17.5', ctxAt(10));
    expect(result.state.tasks['publish-packages@17.5']).toEqual({
      status: 'done',
      by: 'secrel',
      at: at(10),
      via: 'automation',
    });
    expect(completeAutomatedTask(result.state, 'publish-packages@17.5', ctxAt(11)).changed).toBe(false);
  });

  it('links the release issue and the mitigation issue the actions created', () => {
    const withIssue = completeAutomatedTask(newRelease(), 'release-issue', ctxAt(1), {
      releaseIssue: { projectId: 42, iid: 78, url: 'https://gitlab.example.com/acme/product/-/issues/78' },
    });
    expect(withIssue.state.releaseIssue?.iid).toBe(78);
    const withMitigation = completeAutomatedTask(withIssue.state, 'mitigation', ctxAt(2), {
      mitigationIssue: { projectId: 50, iid: 3 },
    });
    expect(withMitigation.state.mitigationIssue).toEqual({ projectId: 50, iid: 3, state: 'opened' });
    const closed = apply(
      withMitigation.state,
      issueEvent({ projectId: 50, iid: 3, state: 'closed', confidential: false, updatedAt: at(9) }),
      ctxAt(9),
    );
    expect(closed.state.tasks['remove-mitigation']?.status).toBe('done');
  });

  it('opens the disclose gate when the last publication step completes', () => {
    let state = scheduledRelease();
    state = { ...state, gates: { disclose: { status: 'waiting', token: 'tok-d', since: at(0) } } };
    const publishKeys = Object.keys(state.tasks).filter((k) =>
      ['publish-packages', 'publish-docker', 'update-githost', 'publish-code', 'version-entries'].some(
        (id) => k === id || k.startsWith(`${id}@`),
      ),
    );
    const last = publishKeys.pop() ?? '';
    for (const key of publishKeys) state = completeAutomatedTask(state, key, ctxAt(20)).state;
    expect(state.gates.disclose?.status).toBe('waiting');
    const result = completeAutomatedTask(state, last, ctxAt(21));
    expect(result.effects).toEqual([{ type: 'open-gate', gate: 'disclose', token: 'tok-d' }]);
  });

  it('refuses a task key the release does not have', () => {
    expect(() => completeAutomatedTask(scheduledRelease(), 'build-packages@12.0', ctxAt(1))).toThrow(
      'no task build-packages@12.0 in release 42-77',
    );
  });
});

describe('phases and status', () => {
  it('entering Day one makes a scheduled release run', () => {
    const result = enterPhase(scheduledRelease(), 'day-one', ctxAt(60));
    expect(result.state).toMatchObject({ phase: 'day-one', status: 'running' });
    expect(result.timeline).toEqual([{ at: at(60), kind: 'phase', summary: 'entered Day one' }]);
    expect(enterPhase(result.state, 'day-one', ctxAt(61)).changed).toBe(false);
  });

  it('keeps publishing status through Day four and moves to afterwards at the end', () => {
    const publishing = {
      ...scheduledRelease(),
      status: 'publishing' as const,
      phase: 'day-four-noon' as const,
    };
    expect(enterPhase(publishing, 'day-four-end', ctxAt(1)).state.status).toBe('publishing');
    expect(enterPhase(publishing, 'afterwards', ctxAt(1)).state.status).toBe('afterwards');
  });

  it('an aborted release stays aborted', () => {
    const aborted = { ...scheduledRelease(), status: 'aborted' as const };
    expect(enterPhase(aborted, 'day-one', ctxAt(1)).changed).toBe(false);
    expect(setStatus(aborted, 'publishing', ctxAt(1)).changed).toBe(false);
  });

  it('sets a status once, bumping the revision by one', () => {
    const release = scheduledRelease();
    const result = setStatus(release, 'publishing', ctxAt(1));
    expect(result.state).toMatchObject({
      status: 'publishing',
      revision: release.revision + 1,
      updatedAt: at(1),
    });
    expect(setStatus(result.state, 'publishing', ctxAt(2)).changed).toBe(false);
  });
});

describe('recording a failed action', () => {
  it('tells release managers and the security lead without the error text, and keeps it on the timeline', () => {
    const result = recordActionFailure(
      scheduledRelease(),
      'publish-docker@17.4',
      'HTTP 502\nstack...',
      ctxAt(5),
    );
    expect(result.changed).toBe(true);
    expect(result.effects).toEqual([
      {
        type: 'notify',
        roles: ['release managers', 'security lead'],
        message: 'Security release 42-77: publish-docker@17.4 failed; see the release issue.',
      },
    ]);
    expect(result.timeline[0]).toMatchObject({
      kind: 'action-failed',
      summary: 'publish-docker@17.4 failed: HTTP 502',
    });
    expect(result.state.tasks['publish-docker@17.4']).toEqual({ status: 'open' });
  });
});
