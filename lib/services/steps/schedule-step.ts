import type {
  DeadlinesResponse,
  GateId,
  PhaseTimes,
  ScheduleKey,
  ScheduleResponse,
} from '../../core/types/workflow.js';
import { deadlinesFor, scheduleKey, toStepTimestamp } from '../../core/workflow-steps.js';
import type { RuntimeDeps } from '../types.js';
import { loadRelease, requireSchedule, scheduleOf } from './release-state.js';
import { gateCutoff } from './timing.js';

/** The `schedule` and `deadlines` steps: computed cutoffs (DESIGN.md §4.7), never typed ones. */

/** `schedule`: the phases' starts and cutoffs from the stored Day one and slip, and the versions. */
export async function readSchedule(deps: RuntimeDeps, releaseId: string): Promise<ScheduleResponse> {
  const state = await loadRelease(deps, releaseId);
  const schedule = requireSchedule(state, deps);
  const phases: Record<ScheduleKey, PhaseTimes> = {};
  for (const window of schedule.phases) {
    phases[scheduleKey(window.phase)] = {
      start: window.start === null ? null : toStepTimestamp(window.start),
      cutoff: toStepTimestamp(window.cutoff),
    };
  }
  return {
    now: toStepTimestamp(deps.clock.now()),
    versions: [...state.versions],
    phases,
  };
}

/** `deadlines`: seconds to a gate's reminder and cutoff. */
export async function readDeadlines(
  deps: RuntimeDeps,
  releaseId: string,
  gate: GateId,
): Promise<DeadlinesResponse> {
  const state = await loadRelease(deps, releaseId);
  return deadlinesFor(deps.clock.now(), gateCutoff(state, scheduleOf(state, deps), gate, deps.playbook));
}
