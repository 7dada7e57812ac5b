import type { ReleaseState } from '../../core/types/release.js';
import { type ReleaseCommit, type ReleaseStore, RevisionConflictError } from '../../ports.js';

/** Options for {@link withRevisionRetry}. */
export interface RevisionRetryOptions {
  /** How many times to read, apply and commit before giving up (default 10). */
  readonly attempts?: number;
  /** Upper bound of the first backoff, in ms; doubles per attempt up to 250 ms (default 10). */
  readonly baseDelayMs?: number;
}

/** A change to one release: given the stored state (undefined before the release exists), what to commit. */
export type ReleaseChange<T extends ReleaseCommit> = (
  state: ReleaseState | undefined,
) => T | undefined | Promise<T | undefined>;

const MAX_DELAY_MS = 250;

/**
 * Reads a release, applies `change` and commits the result, again from a fresh read whenever
 * another writer got there first, so two different events racing on one release both land.
 * Returns what was committed (with whatever else `change` returned, such as effects), or undefined
 * when `change` had nothing to commit. A duplicate delivery is not retried: it is a final answer.
 * @throws RevisionConflictError when every attempt lost a race.
 */
export async function withRevisionRetry<T extends ReleaseCommit>(
  store: Pick<ReleaseStore, 'get' | 'commit'>,
  releaseId: string,
  change: ReleaseChange<T>,
  options: RevisionRetryOptions = {},
): Promise<T | undefined> {
  const attempts = Math.max(1, options.attempts ?? 10);
  const baseDelayMs = options.baseDelayMs ?? 10;
  for (let attempt = 1; ; attempt++) {
    const next = await change(await store.get(releaseId));
    if (next === undefined) return undefined;
    try {
      await store.commit(next);
      return next;
    } catch (err) {
      if (!(err instanceof RevisionConflictError) || attempt >= attempts) throw err;
    }
    // Full jitter spreads racers apart so they stop colliding on the same revision.
    const cap = Math.min(MAX_DELAY_MS, baseDelayMs * 2 ** (attempt - 1));
    await new Promise((resolve) => setTimeout(resolve, Math.random() * cap));
  }
}
