/**
 * A notification could not be delivered. `transient` ones (429, 5xx, timeouts, network) are
 * worth retrying. The message never repeats the notification or the webhook URL, whose path is
 * Slack's secret.
 */
export class NotifyError extends Error {
  override readonly name = 'NotifyError';

  constructor(
    /** HTTP status; `undefined` when the channel did not answer. */
    readonly status: number | undefined,
    readonly transient: boolean,
    reason: string,
  ) {
    super(`notify: ${reason}`);
  }
}
