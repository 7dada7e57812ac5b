/**
 * Thrown when a webhook payload does not match the schema of its event kind. The message is one
 * line naming the failing field and what was expected, never the value: payloads of confidential
 * issues must not leak through an HTTP reply or a log line (DESIGN.md §4.5).
 */
export class PayloadRejectedError extends Error {
  override readonly name = 'PayloadRejectedError';

  /**
   * @param eventHeader - the `X-Gitlab-Event` value the payload arrived with
   * @param field - dotted path of the failing field (`object_attributes.iid`), `(root)` for the body itself
   * @param reason - what was expected there (`expected number, received string`)
   */
  constructor(
    readonly eventHeader: string,
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`.replace(/[\r\n]+/g, ' '));
  }
}
