import type { DateTime } from 'luxon';
import { DEFAULT_PLAYBOOK } from '../core/default-playbook.js';
import { isoOf } from '../core/moments.js';
import { apply } from '../core/release/apply.js';
import { startRelease } from '../core/release/start.js';
import { computeSchedule, parseDayOne } from '../core/schedule.js';
import type { ReleaseContext } from '../core/transitions.js';
import type { GitLabEvent } from '../core/types/events.js';
import type { PhaseId } from '../core/types/playbook.js';
import type { Applied, ReleaseState } from '../core/types/release.js';
import type { IngressDeps } from './types.js';

/**
 * How ingress applies one delivery to one release with the core: the context, the start of a
 * new release, the routing keys a change adds and the key its delivery is recorded under.
 */

/**
 * The delivery key as recorded for one release. Scoping by release lets an event that concerns
 * two releases land in each exactly once, even when one commit succeeded and the other is retried.
 */
export function releaseDeliveryKey(deliveryKey: string, releaseId: string): string {
  return `${deliveryKey}@${releaseId}`;
}

/** Cutoffs per phase for status replies, when the release has its Day one. */
function cutoffsOf(state: ReleaseState | undefined, ctx: Omit<ReleaseContext, 'cutoffs'>) {
  if (!state?.dayOne) return undefined;
  try {
    const schedule = computeSchedule(ctx.playbook, parseDayOne(state.dayOne), state.slipHours);
    const cutoffs: Partial<Record<PhaseId, string>> = {};
    for (const window of schedule.phases) cutoffs[window.phase] = isoOf(window.cutoff);
    return cutoffs;
  } catch {
    // A stored Day one the schedule refuses only loses the cutoffs in a status reply.
    return undefined;
  }
}

/** The context the core applies an event in: config, playbook, the release clock's now. */
export function releaseContext(deps: IngressDeps, now: DateTime, state?: ReleaseState): ReleaseContext {
  const base = { config: deps.config, playbook: deps.config.playbook ?? DEFAULT_PLAYBOOK, now };
  return { ...base, cutoffs: cutoffsOf(state, base) };
}

/** Applies the event to a stored release, or starts the release when there is none yet. */
export function applyOrStart(
  state: ReleaseState | undefined,
  event: GitLabEvent,
  ctx: ReleaseContext,
): Applied | undefined {
  if (state) return apply(state, event, ctx);
  return event.kind === 'issue' ? startRelease(event, ctx) : undefined;
}
