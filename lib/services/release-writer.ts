import type { SecrelConfig } from '../core/config.js';
import { routingKeyChanges } from '../core/routing.js';
import type { GitLabEvent } from '../core/types/events.js';
import type { Applied, Effect, ReleaseState } from '../core/types/release.js';
import type { ReleaseCommit, ReleaseStore } from '../ports.js';
import { ConflictRetry, type RevisionRetryOptions } from './conflict-retry.js';
import type { GroupCommitter, ReleaseOutcome } from './group-commit.js';
import type { IngressDeps } from './types.js';

/**
 * The one way a release is written: load it, apply a pure change, commit conditioned on the
 * revision read, again from a fresh read when another writer got there first, then carry out the
 * effects of what was committed. The steps write through {@link ReleaseWriter.apply}; ingress
 * submits each delivery through {@link ReleaseWriter.submit}, whose batching strategy is group
 * commit (`group-commit.ts`), on the same conflict policy ({@link ConflictRetry}).
 */

/** A change to one release: given the stored state (undefined before the release exists), what to commit. */
export type ReleaseChange<T extends ReleaseCommit> = (
  state: ReleaseState | undefined,
) => T | undefined | Promise<T | undefined>;

/** A pure change of the core: given the stored state, the change applied (undefined: nothing to do). */
export type CoreChange = (state: ReleaseState | undefined) => Applied | undefined;

/** Carries out the effects of a committed change. */
export type EffectCarrier = (releaseId: string, effects: readonly Effect[]) => Promise<void>;

/** A committed change with the effects it asks for. */
export interface CommittedChange extends ReleaseCommit {
  readonly effects: readonly Effect[];
}

/** A changed release also gets its living description rewritten. */
export function withDescribe(changed: boolean, effects: readonly Effect[]): readonly Effect[] {
  return changed ? [...effects, { type: 'describe' }] : effects;
}

/** Writes one release at a time, each change committed on the revision it was applied to. */
export class ReleaseWriter {
  readonly #store: Pick<ReleaseStore, 'get' | 'commit'>;
  readonly #retry: ConflictRetry;

  readonly #batching: GroupCommitter | undefined;

  /** `batching`: how ingress's deliveries are committed together (group commit); steps need none. */
  constructor(
    store: Pick<ReleaseStore, 'get' | 'commit'>,
    retry: ConflictRetry = new ConflictRetry(),
    batching?: GroupCommitter,
  ) {
    this.#store = store;
    this.#retry = retry;
    this.#batching = batching;
  }

  /**
   * Ingress: applies a delivery to a release within the release's next batch and answers once the
   * batch is committed (on the revision it was applied to, retried on conflict). The caller carries
   * out the effects, because whether a reply goes out depends on the delivery's answer across releases.
   */
  submit(
    deps: IngressDeps,
    releaseId: string,
    event: GitLabEvent,
    deliveryKey: string,
    shared: boolean,
  ): Promise<ReleaseOutcome> {
    if (!this.#batching) throw new Error('this release writer has no batching strategy for deliveries');
    return this.#batching.submit(deps, releaseId, event, deliveryKey, shared);
  }

  /**
   * Reads the release, applies `change` and commits the result, again from a fresh read whenever
   * another writer got there first, so two different changes racing on one release both land.
   * Returns what was committed (with whatever else `change` returned, such as effects), or undefined
   * when `change` had nothing to commit. A duplicate delivery is not retried: it is a final answer.
   * @throws RevisionConflictError when every attempt lost a race.
   */
  async write<T extends ReleaseCommit>(releaseId: string, change: ReleaseChange<T>): Promise<T | undefined> {
    for (let attempt = 1; ; attempt++) {
      const next = await change(await this.#store.get(releaseId));
      if (next === undefined) return undefined;
      try {
        await this.#store.commit(next);
        return next;
      } catch (err) {
        await this.#retry.backOff(err, attempt);
      }
    }
  }

  /**
   * Applies a core change to the stored release with {@link write}, with the routing keys it adds
   * or drops, then carries out the effects of what was committed (and rewrites the living
   * description). Returns the state after the change, undefined when `change` had nothing to apply.
   */
  async apply(
    releaseId: string,
    change: CoreChange,
    config: SecrelConfig,
    carryOut: EffectCarrier,
  ): Promise<ReleaseState | undefined> {
    let latest: ReleaseState | undefined;
    const committed = await this.write<CommittedChange>(releaseId, (state) => {
      const applied = change(state);
      latest = applied?.state;
      if (!applied?.changed) return undefined;
      // An action that creates an issue (release, mitigation) must make it findable by ingress,
      // or commands and events on that issue would match no release.
      // A completed release gives up its project keys: project events stop reaching it at all.
      const routing = routingKeyChanges(state, applied.state, config);
      return {
        state: applied.state,
        timeline: applied.timeline,
        effects: applied.effects,
        routingKeys: routing.added,
        droppedRoutingKeys: routing.dropped,
      };
    });
    if (committed) await carryOut(releaseId, withDescribe(true, committed.effects));
    return latest;
  }
}

/** Writes one change with a writer of its own: {@link ReleaseWriter.write}. */
export function withRevisionRetry<T extends ReleaseCommit>(
  store: Pick<ReleaseStore, 'get' | 'commit'>,
  releaseId: string,
  change: ReleaseChange<T>,
  options: RevisionRetryOptions = {},
): Promise<T | undefined> {
  return new ReleaseWriter(store, new ConflictRetry(options)).write(releaseId, change);
}
