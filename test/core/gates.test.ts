import { describe, expect, it } from 'vitest';
import { DEFAULT_PLAYBOOK } from '../../lib/core/default-playbook.js';
import { evaluateGate, parseGateId } from '../../lib/core/gates.js';
import { apply } from '../../lib/core/release/apply.js';
import { expandTasks } from '../../lib/core/tasks.js';
import type { PhaseId } from '../../lib/core/types/playbook.js';
import type { MergeRequestState, ReleaseState, TaskState } from '../../lib/core/types/release.js';
import type { GateId } from '../../lib/core/types/workflow.js';
import { at, ctxAt, mrEvent, newRelease, scheduledRelease } from './release-helpers.js';

const evaluate = (state: ReleaseState, gate: GateId) => evaluateGate(state, gate, DEFAULT_PLAYBOOK);

const DONE: TaskState = { status: 'done', by: 'sam', at: at(0) };

/** Marks every task instance of the given phases done (publish-stage ones too unless told otherwise). */
function finish(state: ReleaseState, phases: readonly PhaseId[], withStage = true): ReleaseState {
  const tasks = { ...state.tasks };
  for (const { key, task } of expandTasks(DEFAULT_PLAYBOOK, state.versions)) {
    if (phases.includes(task.phase) && (withStage || task.stage === undefined)) tasks[key] = DONE;
  }
  return { ...state, tasks };
}

function mr(iid: number, version: string, state: MergeRequestState['state'] = 'merged'): MergeRequestState {
  const targetBranch = version === 'main' ? 'main' : `${version.replace('.', '-')}-stable`;
  return {
    projectId: 42,
    iid,
    targetBranch,
    sourceBranch: `fix-${iid}`,
    version,
    state,
    url: '',
    updatedAt: at(1),
    countedVia: 'role',
  };
}

/** Three versions, every task before Day four 23:59 done, every MR merged: ready to publish. */
function readyToPublish(): ReleaseState {
  const state = finish(scheduledRelease(), [
    'first-steps',
    'day-one',
    'day-two',
    'day-three',
    'day-four-noon',
  ]);
  const mrs = [mr(1, 'main'), mr(2, '17.5'), mr(3, '17.4'), mr(4, '17.3')];
  return { ...state, mergeRequests: Object.fromEntries(mrs.map((m) => [`42!${m.iid}`, m])) };
}

describe('gate ids', () => {
  it('reads the fixed gates, phase gates and pipeline gates, and nothing else', () => {
    expect(parseGateId('publish')).toBe('publish');
    expect(parseGateId('phase:day-two')).toBe('phase:day-two');
    expect(parseGateId('pipeline:build-packages@17.5')).toBe('pipeline:build-packages@17.5');
    expect(parseGateId('phase:Day five')).toBeUndefined();
    expect(parseGateId('merged:17.5')).toBe('merged:17.5');
    expect(parseGateId('merged:main')).toBeUndefined();
    expect(parseGateId('pipeline:')).toBeUndefined();
    expect(parseGateId('launch')).toBeUndefined();
  });
});

describe('the schedule-confirmed gate', () => {
  it('waits for Day one and the affected versions', () => {
    expect(evaluate(newRelease(), 'schedule-confirmed')).toEqual({
      holds: false,
      missing: [
        'Day one is not set (/secrel start YYYY-MM-DD)',
        'affected versions are not set (/secrel versions 17.5,17.4)',
      ],
    });
    expect(evaluate(scheduledRelease(), 'schedule-confirmed')).toEqual({ holds: true, missing: [] });
  });
});

describe('phase gates', () => {
  it('holds when every task of the phase is done or waived', () => {
    const state = finish(scheduledRelease(), ['day-one']);
    expect(evaluate(state, 'phase:day-one').holds).toBe(true);
    const waived = {
      ...state,
      tasks: { ...state.tasks, 'request-cve': { status: 'waived', reason: 'x' } as const },
    };
    expect(evaluate(waived, 'phase:day-one').holds).toBe(true);
  });

  it('names each open task with its owners, per version', () => {
    const state = finish(scheduledRelease(), ['day-two']);
    const open = { ...state, tasks: { ...state.tasks, 'cherry-pick@17.4': { status: 'open' } as const } };
    expect(evaluate(open, 'phase:day-two')).toEqual({
      holds: false,
      missing: ['cherry-pick@17.4 is open (release managers)'],
    });
  });

  it('does not hold a phase with per-version tasks before the versions are known', () => {
    const state = finish(newRelease(), ['day-two']);
    expect(evaluate(state, 'phase:day-two').missing).toContain('affected versions are not set');
  });

  it('checks only the non-stage tasks of Day four before 23:59', () => {
    // Every task there is a publication or disclosure step, which have their own gates.
    expect(evaluate(scheduledRelease(), 'phase:day-four-end').holds).toBe(true);
  });
});

describe('the publish gate (nothing public before everything is ready)', () => {
  it('holds when every earlier task is settled and every version is merged, built and validated', () => {
    expect(evaluate(readyToPublish(), 'publish')).toEqual({ holds: true, missing: [] });
  });

  it('never opens the publish gate while a backport is unmerged', () => {
    const state = readyToPublish();
    const unmerged = { ...state, mergeRequests: { ...state.mergeRequests, '42!3': mr(3, '17.4', 'opened') } };
    expect(evaluate(unmerged, 'publish')).toMatchObject({
      holds: false,
      missing: ['MR !3 for 17.4 not merged'],
    });
  });

  it('never opens the publish gate for a version that has no security MR', () => {
    const state = readyToPublish();
    const { '42!4': _dropped, ...rest } = state.mergeRequests;
    expect(evaluate({ ...state, mergeRequests: rest }, 'publish').missing).toEqual([
      'no security MR for 17.3 yet',
    ]);
  });

  it('never opens the publish gate while packages for a version are unbuilt, even when waived', () => {
    const state = readyToPublish();
    const open = { ...state, tasks: { ...state.tasks, 'build-packages@17.3': { status: 'open' } as const } };
    expect(evaluate(open, 'publish').missing).toEqual(['build-packages@17.3 is open (packaging team)']);
    const waived = {
      ...state,
      tasks: { ...state.tasks, 'build-packages@17.3': { status: 'waived', reason: 'x' } as const },
    };
    expect(evaluate(waived, 'publish').missing).toEqual([
      'build-packages@17.3 was waived; publication needs it done',
    ]);
  });

  it('never opens the publish gate before validation for every release is done', () => {
    const state = readyToPublish();
    const waived = {
      ...state,
      tasks: { ...state.tasks, 'validate-all@17.4': { status: 'waived', reason: 'x' } as const },
    };
    expect(evaluate(waived, 'publish').holds).toBe(false);
  });

  it('accepts other earlier tasks waived by the security lead', () => {
    const state = readyToPublish();
    const waived = {
      ...state,
      tasks: { ...state.tasks, 'pre-announcement-email': { status: 'waived', reason: 'x' } as const },
    };
    expect(evaluate(waived, 'publish').holds).toBe(true);
  });

  it('never opens while any earlier task is open', () => {
    const state = readyToPublish();
    const open = { ...state, tasks: { ...state.tasks, 'request-cve': { status: 'open' } as const } };
    expect(evaluate(open, 'publish').missing).toEqual(['request-cve is open (security lead)']);
  });

  it('never opens without affected versions', () => {
    expect(evaluate(finish(newRelease(), ['first-steps', 'day-one']), 'publish').holds).toBe(false);
  });

  it('never opens for an aborted release', () => {
    expect(evaluate({ ...readyToPublish(), status: 'aborted' }, 'publish')).toEqual({
      holds: false,
      missing: ['the release was aborted'],
    });
  });
});

describe('the disclose gate (disclosure after publication)', () => {
  it('waits until every publish-stage task is done, not merely waived', () => {
    const published = finish(readyToPublish(), ['day-four-end']);
    expect(evaluate(published, 'disclose').holds).toBe(true);
    const pending = {
      ...published,
      tasks: { ...published.tasks, 'publish-docker@17.3': { status: 'open' } as const },
    };
    expect(evaluate(pending, 'disclose').missing).toEqual(['publish-docker@17.3 is not published yet']);
  });

  it('is not held open by disclosure tasks themselves', () => {
    const state = readyToPublish();
    const tasks = { ...state.tasks };
    for (const { key, task } of expandTasks(DEFAULT_PLAYBOOK, state.versions)) {
      if (task.stage === 'publish') tasks[key] = DONE;
    }
    expect(evaluate({ ...state, tasks }, 'disclose').holds).toBe(true);
  });
});

describe('pipeline gates', () => {
  it('holds when the task its pipeline ran for is done, and says what the pipeline is doing otherwise', () => {
    const state = scheduledRelease();
    expect(evaluate(state, 'pipeline:build-packages@17.5').missing).toEqual([
      'no pipeline for build-packages@17.5 seen yet',
    ]);
    const running = {
      ...state,
      tasks: {
        ...state.tasks,
        'build-packages@17.5': {
          status: 'open',
          lastPipeline: { projectId: 42, pipelineId: 1, status: 'running', updatedAt: at(1) },
        },
      },
    } as const;
    expect(evaluate(running, 'pipeline:build-packages@17.5').missing).toEqual([
      'pipeline for build-packages@17.5 is running',
    ]);
    const done = { ...state, tasks: { ...state.tasks, 'build-packages@17.5': DONE } };
    expect(evaluate(done, 'pipeline:build-packages@17.5').holds).toBe(true);
    expect(evaluate(state, 'pipeline:build-packages@12.0').missing).toEqual([
      'no task build-packages@12.0 in this release',
    ]);
  });
});

describe('opening waiting gates after an event', () => {
  it('opens a waiting gate with a token exactly once, when the event makes it hold', () => {
    const ready = readyToPublish();
    const unmerged = {
      ...ready,
      mergeRequests: { ...ready.mergeRequests, '42!3': mr(3, '17.4', 'opened') },
      gates: { publish: { status: 'waiting', token: 'tok-publish', since: at(0) } },
    } as const;
    const merged = apply(
      unmerged,
      mrEvent({
        iid: 3,
        targetBranch: '17-4-stable',
        sourceBranch: 'fix-3',
        state: 'merged',
        updatedAt: at(50),
      }),
      ctxAt(50),
    );
    expect(merged.effects).toEqual([{ type: 'open-gate', gate: 'publish', token: 'tok-publish' }]);
    expect(merged.state.gates.publish).toMatchObject({ status: 'open', openedAt: at(50) });
    const later = apply(merged.state, mrEvent({ iid: 9, state: 'closed', updatedAt: at(60) }), ctxAt(60));
    expect(later.effects).toEqual([]);
  });

  it('does not open a gate the state machine has not asked for (no token stored)', () => {
    const ready = readyToPublish();
    const result = apply(ready, mrEvent({ iid: 9, state: 'merged', updatedAt: at(50) }), ctxAt(50));
    expect(result.effects).toEqual([]);
    expect(result.state.gates).toEqual({});
  });
});
