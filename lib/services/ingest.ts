import { refusedStart, releaseIdFor, startRelease } from '../core/release/start.js';
import { eventRoutingKeys } from '../core/routing.js';
import type { GitLabEvent } from '../core/types/events.js';
import type { Effect } from '../core/types/release.js';
import { DuplicateDeliveryError, type ReleaseStore } from '../ports.js';
import { isDeliverable, type SignalEffect, signal } from './effects.js';
import { GroupCommitter } from './group-commit.js';
import { releaseContext, releaseDeliveryKey } from './release-apply.js';
import { ReleaseStateCache } from './release-cache.js';
import { ReleaseWriter, withDescribe } from './release-writer.js';
import { RoutingCache } from './routing-cache.js';
import type { IngestResult, IngressDeps } from './types.js';

/**
 * Ingesting one parsed event: find the release(s) it belongs to, apply it with the core, commit
 * state, timeline, delivery key and routing keys in ONE transaction, then signal the state
 * machine and hand slow effects over. Nothing slow runs before the answer.
 *
 * Speed without giving up §4: routing lookups that found a release are cached briefly, the
 * release state is cached and every commit is conditioned on its revision, and deliveries for
 * one release that arrive while its commit is in flight are committed together in the next one.
 */

/** The caches and the release writer (batching by group commit) of one store; on Lambda, one per container. */
interface IngressPath {
  readonly routes: RoutingCache;
  readonly writer: ReleaseWriter;
}

const paths = new WeakMap<ReleaseStore, IngressPath>();

function pathFor(store: ReleaseStore): IngressPath {
  let path = paths.get(store);
  if (!path) {
    const routes = new RoutingCache();
    const committer = new GroupCommitter(store, new ReleaseStateCache(), {
      // Keys this process just committed join cached lookups at once.
      onRoutingKeys: (releaseId, keys) => {
        for (const key of keys) routes.add(key, releaseId);
      },
    });
    path = { routes, writer: new ReleaseWriter(store, undefined, committer) };
    paths.set(store, path);
  }
  return path;
}

/** Releases an event belongs to: those its routing keys point at, or the one it starts. */
async function releasesOf(deps: IngressDeps, routes: RoutingCache, event: GitLabEvent): Promise<string[]> {
  const resolved = await Promise.all(
    eventRoutingKeys(event, deps.config).map((key) => routes.resolve(key, (k) => deps.store.resolve(k))),
  );
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
  const deliverable = effects.filter(isDeliverable);
  const signals = effects
    .filter((effect): effect is SignalEffect => !isDeliverable(effect))
    .map((effect) => signal(deps, releaseId, effect));
  const results = await Promise.allSettled([...signals, deps.effects.dispatch(releaseId, deliverable)]);
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
 * Ingests one parsed event under its delivery key. Each release it changes records it in that
 * release's next batch transaction (state, timeline, release-scoped delivery key, new routing
 * keys); a delivery that changes no release is recorded once under its plain key (within the
 * batch when it reaches one release). `duplicate` when the delivery was seen before.
 */
export async function ingestEvent(
  deps: IngressDeps,
  event: GitLabEvent,
  deliveryKey: string,
): Promise<IngestResult> {
  const path = pathFor(deps.store);
  const releaseIds = await releasesOf(deps, path.routes, event);
  if (releaseIds.length === 0 && event.kind === 'issue') {
    // A label added by someone who may not start releases: nothing is created, one reply says who may.
    const refusal = refusedStart(event, releaseContext(deps, deps.clock.now()));
    if (refusal?.type === 'reply') {
      const status = await recordUnchanged(deps, deliveryKey, []);
      if (status === 'accepted') {
        await deps.effects
          .dispatch(releaseIdFor(event.projectId, event.iid), [refusal])
          .catch(() => deps.logger.error('refused-start reply failed', { projectId: event.projectId }));
      }
      return { status, changed: [] };
    }
  }
  // An event for one release is recorded within that release's batch even when it changes nothing.
  const shared = releaseIds.length > 1;
  const outcomes = await Promise.all(
    releaseIds.map((id) => path.writer.submit(deps, id, event, deliveryKey, shared)),
  );
  const changed = outcomes.filter((outcome) => outcome.kind === 'changed');
  let status: IngestResult['status'];
  if (changed.length > 0) status = 'accepted';
  else if (outcomes.some((outcome) => outcome.kind === 'duplicate')) status = 'duplicate';
  else if (releaseIds.length === 1) status = 'accepted';
  else status = await recordUnchanged(deps, deliveryKey, releaseIds);
  // Effects of a release the event left unchanged (a status reply) run only for a fresh delivery.
  const toCarryOut = status === 'accepted' ? outcomes : changed;
  await Promise.all(
    toCarryOut.map((outcome) =>
      outcome.kind === 'duplicate'
        ? undefined
        : carryOut(deps, outcome.releaseId, withDescribe(outcome.kind === 'changed', outcome.effects)),
    ),
  );
  return { status, changed: changed.map((outcome) => outcome.releaseId) };
}
