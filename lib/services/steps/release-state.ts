import { computeSchedule, parseDayOne } from '../../core/schedule.js';
import type { TransitionContext } from '../../core/transitions.js';
import type { Applied, ReleaseState } from '../../core/types/release.js';
import type { Schedule } from '../../core/types/release-schedule.js';
import { ActionFailedError } from '../../core/workflow-steps.js';
import { performEffects } from '../effects.js';
import { ReleaseWriter } from '../release-writer.js';
import type { RuntimeDeps } from '../types.js';

/** Reading and changing the stored release from the step handlers. */

/** The stored release; a step for an unknown release fails for good. */
export async function loadRelease(
  deps: Pick<RuntimeDeps, 'store'>,
  releaseId: string,
): Promise<ReleaseState> {
  const state = await deps.store.get(releaseId);
  if (!state) throw new ActionFailedError(`no release ${releaseId}`);
  return state;
}

/** The transition context at the release clock's now. */
export function contextOf(deps: Pick<RuntimeDeps, 'playbook' | 'clock'>): TransitionContext {
  return { playbook: deps.playbook, now: deps.clock.now() };
}

/**
 * Applies a core transition to the stored release through the {@link ReleaseWriter}, then
 * performs the effects of what was committed. Returns the state after it.
 */
export async function transition(
  deps: RuntimeDeps,
  releaseId: string,
  change: (state: ReleaseState) => Applied,
): Promise<ReleaseState> {
  const latest = await new ReleaseWriter(deps.store).apply(
    releaseId,
    (state) => {
      if (!state) throw new ActionFailedError(`no release ${releaseId}`);
      return change(state);
    },
    deps.config,
    (id, effects) => performEffects(deps, id, effects),
  );
  if (!latest) throw new ActionFailedError(`no release ${releaseId}`);
  return latest;
}

/** The release's schedule, or undefined while Day one is not set. */
export function scheduleOf(state: ReleaseState, deps: Pick<RuntimeDeps, 'playbook'>): Schedule | undefined {
  if (state.dayOne === undefined) return undefined;
  return computeSchedule(deps.playbook, parseDayOne(state.dayOne), state.slipHours);
}

/** The schedule of a release that must have one by now (after the schedule gate). */
export function requireSchedule(state: ReleaseState, deps: Pick<RuntimeDeps, 'playbook'>): Schedule {
  const schedule = scheduleOf(state, deps);
  if (!schedule) throw new ActionFailedError(`release ${state.id} has no Day one yet`);
  return schedule;
}
