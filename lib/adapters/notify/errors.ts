import { OutsideCallError } from '../http-status.js';

/**
 * A notification could not be delivered. `transient` ones (429, 5xx, timeouts, network) are
 * worth retrying. The message never repeats the notification or the webhook URL, whose path is
 * Slack's secret.
 */
export class NotifyError extends OutsideCallError {
  override readonly name = 'NotifyError';

  constructor(
    /** HTTP status; `undefined` when the channel did not answer. */
    status: number | undefined,
    transient: boolean,
    reason: string,
  ) {
    super('notify', status, transient, reason);
  }
}
