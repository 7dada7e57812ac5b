import { withRevisionRetry } from '../../adapters/dynamo/revision-retry.js';
import { releaseRoutingKeys } from '../../core/routing.js';
import { computeSchedule, parseDayOne } from '../../core/schedule.js';
import type { TransitionContext } from '../../core/transitions.js';
import type { Applied, ReleaseState } from '../../core/types/release.js';
import type { Schedule } from '../../core/types/schedule.js';
import { ActionFailedError } from '../../core/workflow-steps.js';
import { performEffects } from '../effects.js';
import type { RuntimeDeps } from '../runtime-deps.js';

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
 * Applies a core transition to the stored release (again from a fresh read when another writer
 * got there first), then performs the effects of what was committed. Returns the state after it.
 */
export async function transition(
  deps: RuntimeDeps,
  releaseId: string,
  change: (state: ReleaseState) => Applied,
): Promise<ReleaseState> {
  let latest: ReleaseState | undefined;
  const committed = await withRevisionRetry(deps.store, releaseId, (state) => {
    if (!state) throw new ActionFailedError(`no release ${releaseId}`);
    const applied = change(state);
    latest = applied.state;
    if (!applied.changed) return undefined;
    // An action that creates an issue (release, mitigation) must make it findable by ingress,
    // or commands and events on that issue would match no release.
    const known = new Set(releaseRoutingKeys(state, deps.config));
    const wanted = releaseRoutingKeys(applied.state, deps.config);
    const routingKeys = wanted.filter((key) => !known.has(key));
    // A completed release gives up its project keys: project events stop reaching it at all.
    const droppedRoutingKeys = [...known].filter((key) => !wanted.includes(key));
    return {
      state: applied.state,
      timeline: applied.timeline,
      effects: applied.effects,
      routingKeys,
      droppedRoutingKeys,
    };
  });
  // Every committed change also brings the release issue's living section up to date.
  if (committed) await performEffects(deps, releaseId, [...committed.effects, { type: 'describe' }]);
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
