/**
 * Errors of the release core. Each carries a one-line, non-confidential reason that can reach
 * a reply on the release issue or a log line as is.
 */

/** A `/secrel` command could not be understood or carried out; the message is the reply. */
export class CommandError extends Error {
  override readonly name = 'CommandError';
}

/** A handler asked for a transition the release cannot make (unknown task key, unknown gate id). */
export class ReleaseRuleError extends Error {
  override readonly name = 'ReleaseRuleError';
}
