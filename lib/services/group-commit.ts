import { routingKeyChanges } from '../core/routing.js';
import type { GitLabEvent } from '../core/types/events.js';
import type { Effect, ReleaseState, TimelineEntry } from '../core/types/release.js';
import {
  type BatchDelivery,
  DuplicateDeliveriesError,
  type ReleaseBatchCommit,
  type ReleaseStore,
} from '../ports.js';
import { ConflictRetry, type RevisionRetryOptions } from './conflict-retry.js';
import { applyOrStart, releaseContext, releaseDeliveryKey } from './release-apply.js';
import type { ReleaseStateCache } from './release-cache.js';
import type { ReleaseWriter } from './release-writer.js';
import type { IngressDeps } from './types.js';

/**
 * Group commit per release. While a commit for a release is in flight, later deliveries for it
 * wait; when it ends, the waiting ones are applied in order in memory and written in ONE
 * transaction (state once, a record per delivery, each change's timeline). Every delivery still
 * gets its own answer. Across processes the revision condition decides, as for single commits,
 * and a lost race is retried on {@link ConflictRetry}. It is the {@link ReleaseWriter}'s batching
 * strategy: ingress submits through the writer.
 */

/** What one release made of a delivery. */
export type ReleaseOutcome =
  | { readonly kind: 'changed'; readonly releaseId: string; readonly effects: readonly Effect[] }
  | { readonly kind: 'unchanged'; readonly releaseId: string; readonly effects: readonly Effect[] }
  | { readonly kind: 'duplicate'; readonly releaseId: string };

/** Options for {@link GroupCommitter}. */
export interface GroupCommitOptions extends RevisionRetryOptions {
  /** Most deliveries in one batch (default 32); DynamoDB's 100 items per transaction also bound it. */
  readonly maxDeliveries?: number;
  /** Called with the routing keys a batch committed for a release. */
  readonly onRoutingKeys?: (releaseId: string, keys: readonly string[]) => void;
}

/** One delivery waiting for its release's batch. */
interface Submission {
  readonly deps: IngressDeps;
  readonly event: GitLabEvent;
  readonly deliveryKey: string;
  /**
   * The event also concerns other releases: when it changes nothing here, nothing is written here
   * (the caller records it once for all), and its delivery is recorded under the release scope.
   */
  readonly shared: boolean;
  readonly resolve: (outcome: ReleaseOutcome) => void;
  readonly reject: (err: unknown) => void;
}

/** A batch applied in memory: what to write, and each taken delivery's answer once it is written. */
interface Plan {
  readonly taken: readonly Submission[];
  /** Deliveries the core could not apply; already refused, each on its own. */
  readonly dropped: readonly Submission[];
  readonly outcomes: ReadonlyMap<Submission, ReleaseOutcome>;
  /** Which submission each of `commit.deliveries` belongs to, by position. */
  readonly owners: readonly Submission[];
  /** Undefined when nothing needs writing. */
  readonly commit?: ReleaseBatchCommit;
  readonly state: ReleaseState | undefined;
}

const MAX_ITEMS = 100;
// Well under DynamoDB's 4 MB per transaction; the state item itself is at most 400 KB.
const MAX_TIMELINE_BYTES = 2_000_000;

/** Applies deliveries in order to `base`, taking as many as fit in one transaction. */
function planBatch(releaseId: string, base: ReleaseState | undefined, pending: readonly Submission[]): Plan {
  let state = base;
  let changedAny = false;
  let items = 1; // the state Put or its revision check
  let timelineBytes = 0;
  let routingKeys: string[] = [];
  let droppedKeys: string[] = [];
  const timeline: { revision: number; entries: readonly TimelineEntry[] }[] = [];
  const deliveries: BatchDelivery[] = [];
  const owners: Submission[] = [];
  const outcomes = new Map<Submission, ReleaseOutcome>();
  const seen = new Set<string>();
  const taken: Submission[] = [];
  const dropped: Submission[] = [];
  for (const sub of pending) {
    if (seen.has(sub.deliveryKey)) {
      // A resend racing its original in the same batch: answered here, written once.
      outcomes.set(sub, { kind: 'duplicate', releaseId });
      taken.push(sub);
      continue;
    }
    const scoped = releaseDeliveryKey(sub.deliveryKey, releaseId);
    let applied: ReturnType<typeof applyOrStart>;
    try {
      applied = applyOrStart(state, sub.event, releaseContext(sub.deps, sub.deps.clock.now(), state));
    } catch (err) {
      // One event the core cannot apply fails alone, not the deliveries batched with it.
      sub.reject(err);
      dropped.push(sub);
      continue;
    }
    if (applied?.changed) {
      const { added: keys, dropped: drops } = routingKeyChanges(base, applied.state, sub.deps.config);
      const bytes = JSON.stringify(applied.timeline).length;
      const cost = 2 + applied.timeline.length;
      if (
        taken.length > 0 &&
        (items + cost + keys.length + drops.length > MAX_ITEMS || timelineBytes + bytes > MAX_TIMELINE_BYTES)
      ) {
        break;
      }
      items += cost;
      timelineBytes += bytes;
      state = applied.state;
      changedAny = true;
      routingKeys = keys;
      droppedKeys = drops;
      timeline.push({ revision: applied.state.revision, entries: applied.timeline });
      // Recorded under the release's scope; the plain key must be free too (not seen as "no change").
      deliveries.push({ key: scoped, absentKeys: [sub.deliveryKey] });
      owners.push(sub);
      outcomes.set(sub, { kind: 'changed', releaseId, effects: applied.effects });
    } else if (!sub.shared) {
      if (taken.length > 0 && items + 2 + routingKeys.length + droppedKeys.length > MAX_ITEMS) break;
      items += 2;
      // Recorded plain, as a delivery that changed nothing; it must not have changed the release before.
      deliveries.push({ key: sub.deliveryKey, absentKeys: [scoped] });
      owners.push(sub);
      outcomes.set(sub, { kind: 'unchanged', releaseId, effects: applied?.effects ?? [] });
    } else {
      outcomes.set(sub, { kind: 'unchanged', releaseId, effects: applied?.effects ?? [] });
    }
    seen.add(sub.deliveryKey);
    taken.push(sub);
  }
  const plan = { taken, dropped, outcomes, owners, state };
  if (!changedAny && deliveries.length === 0) return plan;
  const commit: ReleaseBatchCommit = {
    releaseId,
    baseRevision: base?.revision ?? 0,
    ...(changedAny && state ? { state } : {}),
    timeline,
    deliveries,
    routingKeys,
    ...(droppedKeys.length > 0 ? { droppedRoutingKeys: droppedKeys } : {}),
  };
  return { ...plan, commit };
}

/** Queues deliveries per release and commits each release's queue in batches. */
export class GroupCommitter {
  private readonly queues = new Map<string, Submission[]>();
  private readonly maxDeliveries: number;
  private readonly retry: ConflictRetry;
  private readonly onRoutingKeys: (releaseId: string, keys: readonly string[]) => void;

  constructor(
    private readonly store: Pick<ReleaseStore, 'get' | 'commitBatch'>,
    private readonly states: ReleaseStateCache,
    options: GroupCommitOptions = {},
  ) {
    this.maxDeliveries = Math.max(1, options.maxDeliveries ?? 32);
    this.retry = new ConflictRetry(options);
    this.onRoutingKeys = options.onRoutingKeys ?? (() => {});
  }

  /**
   * Applies a delivery to a release within the release's next batch and answers once the batch
   * is written. `shared`: the event also concerns other releases (see {@link Submission.shared}).
   */
  submit(
    deps: IngressDeps,
    releaseId: string,
    event: GitLabEvent,
    deliveryKey: string,
    shared: boolean,
  ): Promise<ReleaseOutcome> {
    return new Promise((resolve, reject) => {
      const sub: Submission = { deps, event, deliveryKey, shared, resolve, reject };
      const queue = this.queues.get(releaseId);
      if (queue) {
        queue.push(sub);
        return;
      }
      const fresh = [sub];
      this.queues.set(releaseId, fresh);
      void this.drain(releaseId, fresh);
    });
  }

  private async drain(releaseId: string, queue: Submission[]): Promise<void> {
    while (queue.length > 0) {
      const batch = queue.splice(0, this.maxDeliveries);
      const leftover = await this.commitBatch(releaseId, batch);
      queue.unshift(...leftover);
    }
    // No await between the last check and this: a delivery arriving now starts a new queue.
    this.queues.delete(releaseId);
  }

  /** Commits what fits of `batch`, answering each taken delivery; returns those left for the next. */
  private async commitBatch(releaseId: string, batch: readonly Submission[]): Promise<Submission[]> {
    let pending = batch;
    let taken: readonly Submission[] = [];
    let planned = false;
    try {
      let base = this.states.get(releaseId);
      let fresh = false;
      if (!base) {
        base = await this.store.get(releaseId);
        fresh = true;
      }
      for (let attempt = 1; ; ) {
        const plan = planBatch(releaseId, base, pending);
        taken = plan.taken;
        planned = true;
        const leftover = pending.slice(taken.length + plan.dropped.length);
        if (plan.dropped.length > 0) pending = pending.filter((sub) => !plan.dropped.includes(sub));
        if (!plan.commit) {
          // Nothing to write, so no condition checked the verdict: check it against a fresh read.
          if (!fresh) {
            const stored = await this.store.get(releaseId);
            fresh = true;
            if (stored?.revision !== base?.revision) {
              base = stored;
              this.states.set(releaseId, base);
              continue;
            }
          }
          for (const sub of taken) sub.resolve(plan.outcomes.get(sub) ?? { kind: 'duplicate', releaseId });
          return leftover;
        }
        try {
          await this.store.commitBatch(plan.commit);
        } catch (err) {
          if (err instanceof DuplicateDeliveriesError) {
            // Recorded before (by another process or an earlier batch): those are final duplicates.
            const refused = new Set(err.indexes.flatMap((index) => plan.owners[index] ?? []));
            for (const sub of refused) sub.resolve({ kind: 'duplicate', releaseId });
            pending = pending.filter((sub) => !refused.has(sub));
            taken = taken.filter((sub) => !refused.has(sub));
            if (pending.length === 0) return [];
            if (refused.size > 0) continue;
          }
          this.states.delete(releaseId);
          await this.retry.backOff(err, attempt);
          attempt++;
          base = await this.store.get(releaseId);
          fresh = true;
          this.states.set(releaseId, base);
          continue;
        }
        this.states.set(releaseId, plan.state);
        if (plan.commit.routingKeys?.length) this.onRoutingKeys(releaseId, plan.commit.routingKeys);
        for (const sub of taken) sub.resolve(plan.outcomes.get(sub) ?? { kind: 'duplicate', releaseId });
        return leftover;
      }
    } catch (err) {
      // The cached state may no longer be what is stored; the next batch reads it.
      this.states.delete(releaseId);
      const failed = planned ? taken : pending;
      for (const sub of failed) sub.reject(err);
      return pending.filter((sub) => !failed.includes(sub));
    }
  }
}
