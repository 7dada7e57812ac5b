import type { SecrelConfig } from '../core/config.js';
import { releaseRoutingKeys } from '../core/routing.js';
import type { Applied, Effect, ReleaseState } from '../core/types/release.js';
import { type ReleaseCommit, type ReleaseStore, RevisionConflictError } from '../ports.js';

/**
 * The one way a release is written: load it, apply a pure change, commit conditioned on the
 * revision read, again from a fresh read when another writer got there first, then carry out the
 * effects of what was committed. The steps write through {@link ReleaseWriter}; ingress batches
 * deliveries (`group-commit.ts`) on the same conflict policy, {@link ConflictRetry}.
 */

/** Options for {@link ConflictRetry}. */
export interface RevisionRetryOptions {
  /** How many times to read, apply and commit before a revision conflict is final (default 10). */
  readonly attempts?: number;
  /** Upper bound of the first backoff, in ms; doubles per attempt up to 250 ms (default 10). */
  readonly baseDelayMs?: number;
}

/** A change to one release: given the stored state (undefined before the release exists), what to commit. */
export type ReleaseChange<T extends ReleaseCommit> = (
  state: ReleaseState | undefined,
) => T | undefined | Promise<T | undefined>;

/** A pure change of the core: given the stored state, the change applied (undefined: nothing to do). */
export type CoreChange = (state: ReleaseState | undefined) => Applied | undefined;

/** Carries out the effects of a committed change. */
export type EffectCarrier = (releaseId: string, effects: readonly Effect[]) => Promise<void>;

const MAX_DELAY_MS = 250;

/** When a commit that lost a race on the revision is tried again, and after how long. */
export class ConflictRetry {
  readonly attempts: number;
  readonly #baseDelayMs: number;

  constructor(options: RevisionRetryOptions = {}) {
    this.attempts = Math.max(1, options.attempts ?? 10);
    this.#baseDelayMs = options.baseDelayMs ?? 10;
  }

  /**
   * Called after attempt `attempt` failed with `err`: rethrows it unless it is a revision conflict
   * with attempts left, else waits before the next attempt reads again.
   */
  async backOff(err: unknown, attempt: number): Promise<void> {
    if (!(err instanceof RevisionConflictError) || attempt >= this.attempts) throw err;
    // Full jitter spreads racers apart so they stop colliding on the same revision.
    const cap = Math.min(MAX_DELAY_MS, this.#baseDelayMs * 2 ** (attempt - 1));
    await new Promise((resolve) => setTimeout(resolve, Math.random() * cap));
  }
}

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

  constructor(store: Pick<ReleaseStore, 'get' | 'commit'>, retry: ConflictRetry = new ConflictRetry()) {
    this.#store = store;
    this.#retry = retry;
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
      const known = new Set(state ? releaseRoutingKeys(state, config) : []);
      const wanted = releaseRoutingKeys(applied.state, config);
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
