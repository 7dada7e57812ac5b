import { OutsideCallError } from '../http-status.js';

/**
 * A call to HackerOne failed. `transient` ones (429, 5xx, timeouts, network) are worth retrying;
 * the others will fail the same way again. The message names the report, never the comment.
 */
export class HackerOneError extends OutsideCallError {
  override readonly name = 'HackerOneError';
}
