import { OutsideCallError } from '../http-status.js';

/**
 * A call to GitLab's API failed. `transient` errors (429, 5xx, timeouts, network) are worth
 * retrying, and the state machine does; the others (4xx) will fail the same way again.
 * The message is one line and never carries the token or issue text.
 */
export class GitLabApiError extends OutsideCallError {
  override readonly name = 'GitLabApiError';
}
