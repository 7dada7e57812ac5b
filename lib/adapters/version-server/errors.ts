import { OutsideCallError } from '../http-status.js';

/**
 * The version server refused or failed to add a version entry. `transient` ones (429, 5xx,
 * timeouts, network) are worth retrying; the others will fail the same way again.
 */
export class VersionServerError extends OutsideCallError {
  override readonly name = 'VersionServerError';

  constructor(
    /** HTTP status; `undefined` when the server did not answer. */
    status: number | undefined,
    transient: boolean,
    reason: string,
  ) {
    super('addVersion', status, transient, reason);
  }
}
