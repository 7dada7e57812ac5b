import { RevisionConflictError } from '../ports.js';

/**
 * The one conflict policy for writing a release: a commit that lost a race on the revision is
 * tried again from a fresh read, after a short jittered wait. Steps ({@link ReleaseWriter}) and
 * ingress's group commit both follow it.
 */

/** Options for {@link ConflictRetry}. */
export interface RevisionRetryOptions {
  /** How many times to read, apply and commit before a revision conflict is final (default 10). */
  readonly attempts?: number;
  /** Upper bound of the first backoff, in ms; doubles per attempt up to 250 ms (default 10). */
  readonly baseDelayMs?: number;
}

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
