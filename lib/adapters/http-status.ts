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
