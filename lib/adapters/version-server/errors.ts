/**
 * The version server refused or failed to add a version entry. `transient` ones (429, 5xx,
 * timeouts, network) are worth retrying; the others will fail the same way again.
 */
export class VersionServerError extends Error {
  override readonly name = 'VersionServerError';

  constructor(
    /** HTTP status; `undefined` when the server did not answer. */
    readonly status: number | undefined,
    readonly transient: boolean,
    reason: string,
  ) {
    super(`addVersion: ${reason}`);
  }
}
