/**
 * A call to HackerOne failed. `transient` ones (429, 5xx, timeouts, network) are worth retrying;
 * the others will fail the same way again. The message names the report, never the comment.
 */
export class HackerOneError extends Error {
  override readonly name = 'HackerOneError';

  constructor(
    /** The port method that failed (`comment`, `approveDisclosure`). */
    readonly operation: string,
    /** HTTP status; `undefined` when HackerOne did not answer. */
    readonly status: number | undefined,
    readonly transient: boolean,
    reason: string,
  ) {
    super(`${operation}: ${reason}`);
  }
}
