/**
 * A call to GitLab's API failed. `transient` errors (429, 5xx, timeouts, network) are worth
 * retrying, and the state machine does; the others (4xx) will fail the same way again.
 * The message is one line and never carries the token or issue text.
 */
export class GitLabApiError extends Error {
  override readonly name = 'GitLabApiError';

  constructor(
    /** The port method that failed (`createIssue`). */
    readonly operation: string,
    /** HTTP status GitLab answered; `undefined` when it did not answer. */
    readonly status: number | undefined,
    readonly transient: boolean,
    reason: string,
  ) {
    super(`${operation}: ${reason}`);
  }
}
