/**
 * Whether an HTTP status from an outside system (GitLab, version server, HackerOne, Slack) is
 * worth retrying: timeouts, rate limits and server errors pass; other 4xx fail the same way again.
 */
export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

/**
 * A call to an outside system failed. `transient` ones (429, 5xx, timeouts, network) are worth
 * retrying; the others will fail the same way again. Each adapter's error extends this with its
 * own `name`, which callers match on. The message is `operation: reason`, one line, and never
 * carries tokens or confidential text.
 */
export class OutsideCallError extends Error {
  override readonly name: string = 'OutsideCallError';

  constructor(
    /** The port method that failed (`createIssue`, `addVersion`). */
    readonly operation: string,
    /** HTTP status the system answered; `undefined` when it did not answer. */
    readonly status: number | undefined,
    readonly transient: boolean,
    reason: string,
  ) {
    super(`${operation}: ${reason}`);
  }
}
