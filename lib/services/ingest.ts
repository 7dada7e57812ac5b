import type { DateTime } from 'luxon';
import { withRevisionRetry } from '../adapters/dynamo/revision-retry.js';
import { DEFAULT_PLAYBOOK } from '../core/playbook.js';
import { apply, releaseIdFor, startRelease } from '../core/release.js';
import { eventRoutingKeys, releaseRoutingKeys } from '../core/routing.js';
import { computeSchedule, parseDayOne, toIso } from '../core/schedule.js';
import type { ReleaseContext } from '../core/transitions.js';
import type { GitLabEvent } from '../core/types/events.js';
import type { PhaseId } from '../core/types/playbook.js';
import type { Applied, Effect, ReleaseState } from '../core/types/release.js';
import { DuplicateDeliveryError, type ReleaseCommit } from '../ports.js';
import { type DeferredEffect, isDeferred } from './effects.js';
import type { IngestResult, IngressDeps } from './types.js';

/**
 * Ingesting one parsed event: find the release(s) it belongs to, apply it with the core, commit
 * state, timeline, delivery key and routing keys in ONE transaction, then signal the state
 * machine and hand slow effects over. Nothing slow runs before the answer.
 */

/** What one release made of the event. */
type ReleaseOutcome =
  | { readonly kind: 'changed'; readonly releaseId: string; readonly effects: readonly Effect[] }
  | { readonly kind: 'unchanged'; readonly releaseId: string; readonly effects: readonly Effect[] }
  | { readonly kind: 'duplicate'; readonly releaseId: string };

/** A commit that also carries the effects to perform once it is stored. */
interface AppliedCommit extends ReleaseCommit {
  readonly effects: readonly Effect[];
}

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
    for (const window of schedule.phases) cutoffs[window.phase] = toIso(window.cutoff);
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

/** Routing keys the change adds; keys already stored are not written again. */
function newRoutingKeys(deps: IngressDeps, before: ReleaseState | undefined, after: ReleaseState): string[] {
  const known = new Set(before ? releaseRoutingKeys(before, deps.config) : []);
  return releaseRoutingKeys(after, deps.config).filter((key) => !known.has(key));
}

/** Applies the event to a stored release, or starts the release when there is none yet. */
function applyOrStart(
  state: ReleaseState | undefined,
  event: GitLabEvent,
  ctx: ReleaseContext,
): Applied | undefined {
  if (state) return apply(state, event, ctx);
  return event.kind === 'issue' ? startRelease(event, ctx) : undefined;
}

/**
 * Changes to one release run one after another within this process. Concurrent deliveries for
 * the same release would otherwise race on its revision and burn transactions on retries; across
 * processes (Lambda) the revision check in the commit still decides.
 */
const releaseQueues = new WeakMap<object, Map<string, Promise<unknown>>>();

async function oneAtATime<T>(scope: object, releaseId: string, work: () => Promise<T>): Promise<T> {
  let queues = releaseQueues.get(scope);
  if (!queues) {
    queues = new Map();
    releaseQueues.set(scope, queues);
  }
  const run = (queues.get(releaseId) ?? Promise.resolve()).then(work, work);
  const tail = run.then(
    () => undefined,
    () => undefined,
  );
  queues.set(releaseId, tail);
  void tail.then(() => {
    if (queues.get(releaseId) === tail) queues.delete(releaseId);
  });
  return run;
}

async function ingestForRelease(
  deps: IngressDeps,
  event: GitLabEvent,
  releaseId: string,
  deliveryKey: string,
): Promise<ReleaseOutcome> {
  const key = releaseDeliveryKey(deliveryKey, releaseId);
  let unchanged: Applied | undefined;
  try {
    const committed = await withRevisionRetry<AppliedCommit>(deps.store, releaseId, (state) => {
      const ctx = releaseContext(deps, deps.clock.now(), state);
      const applied = applyOrStart(state, event, ctx);
      if (!applied?.changed) {
        unchanged = applied;
        return undefined;
      }
      unchanged = undefined;
      return {
        state: applied.state,
        timeline: applied.timeline,
        deliveryKey: key,
        routingKeys: newRoutingKeys(deps, state, applied.state),
        effects: applied.effects,
      };
    });
    if (committed) return { kind: 'changed', releaseId, effects: committed.effects };
    return { kind: 'unchanged', releaseId, effects: unchanged?.effects ?? [] };
  } catch (err) {
    if (err instanceof DuplicateDeliveryError) return { kind: 'duplicate', releaseId };
    throw err;
  }
}

/** Releases an event belongs to: those its routing keys point at, or the one it starts. */
async function releasesOf(deps: IngressDeps, event: GitLabEvent): Promise<string[]> {
  const resolved = await Promise.all(eventRoutingKeys(event).map((key) => deps.store.resolve(key)));
  const ids = new Set(resolved.flat());
  // A labelled confidential issue with no release yet starts one; its id is derived from the issue.
  if (
    ids.size === 0 &&
    event.kind === 'issue' &&
    startRelease(event, releaseContext(deps, deps.clock.now()))
  ) {
    ids.add(releaseIdFor(event.projectId, event.iid));
  }
  return [...ids].sort();
}

/** Carries out effects of a stored change: signals now, replies and notifications deferred. */
async function carryOut(deps: IngressDeps, releaseId: string, effects: readonly Effect[]): Promise<void> {
  const deferred: DeferredEffect[] = effects.filter(isDeferred);
  const signals = effects
    .filter((effect) => !isDeferred(effect))
    .map((effect) => signal(deps, releaseId, effect));
  const results = await Promise.allSettled([...signals, deps.effects.dispatch(releaseId, deferred)]);
  for (const result of results) {
    if (result.status === 'rejected') {
      // The change is stored; a lost signal is recovered when the gate re-arms at its timeout.
      deps.logger.error('effect after commit failed', {
        releaseId,
        error: result.reason instanceof Error ? result.reason.name : 'unknown',
      });
    }
  }
}

function signal(deps: IngressDeps, releaseId: string, effect: Effect): Promise<void> {
  switch (effect.type) {
    case 'start-workflow':
      return deps.workflow.start(effect.releaseId, { releaseId: effect.releaseId });
    case 'open-gate':
      return deps.workflow.sendTaskSuccess(effect.token, { releaseId, gate: effect.gate });
    case 'fail-gate':
      return deps.workflow.sendTaskFailure(effect.token, effect.error, effect.cause);
    case 'stop-workflow':
      return deps.workflow.stop(effect.releaseId, effect.reason);
    default:
      return Promise.resolve();
  }
}

/**
 * Records a delivery that changed nothing (one write) so its resend is recognised, and says
 * whether it was seen before: recorded as changing nothing, or as a change to one of these
 * releases (its release-scoped key is stored).
 */
async function recordUnchanged(deps: IngressDeps, deliveryKey: string, releaseIds: readonly string[]) {
  // Both at once, to save a round trip: a plain record left beside a scoped one is harmless.
  const [seen, recorded] = await Promise.all([
    Promise.all(releaseIds.map((id) => deps.store.hasDelivery(releaseDeliveryKey(deliveryKey, id)))),
    deps.store.recordDelivery(deliveryKey).then(
      () => true,
      (err: unknown) => {
        if (err instanceof DuplicateDeliveryError) return false;
        throw err;
      },
    ),
  ]);
  return recorded && !seen.some(Boolean) ? 'accepted' : 'duplicate';
}

/**
 * Ingests one parsed event under its delivery key. Each release it changes gets one transaction
 * (state, timeline, release-scoped delivery key, new routing keys); a delivery that changes no
 * release is recorded once under its plain key. `duplicate` when the delivery was seen before.
 */
export async function ingestEvent(
  deps: IngressDeps,
  event: GitLabEvent,
  deliveryKey: string,
): Promise<IngestResult> {
  const releaseIds = await releasesOf(deps, event);
  const outcomes = await Promise.all(
    releaseIds.map((id) => oneAtATime(deps.store, id, () => ingestForRelease(deps, event, id, deliveryKey))),
  );
  const changed = outcomes.filter((outcome) => outcome.kind === 'changed');
  let status: IngestResult['status'];
  if (changed.length > 0) status = 'accepted';
  else if (outcomes.some((outcome) => outcome.kind === 'duplicate')) status = 'duplicate';
  else status = await recordUnchanged(deps, deliveryKey, releaseIds);
  // Effects of a release the event left unchanged (a status reply) run only for a fresh delivery.
  const toCarryOut = status === 'accepted' ? outcomes : changed;
  await Promise.all(
    toCarryOut.map((outcome) =>
      outcome.kind === 'duplicate' ? undefined : carryOut(deps, outcome.releaseId, outcome.effects),
    ),
  );
  return { status, changed: changed.map((outcome) => outcome.releaseId) };
}
