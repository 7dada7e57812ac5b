import { GitbeakerRequestError, GitbeakerRetryError, GitbeakerTimeoutError } from '@gitbeaker/rest';
import { isTransientStatus } from '../http-status.js';
import { GitLabApiError } from './errors.js';

/** Longest GitLab message kept in a reason; GitLab's own messages are short. */
const MAX_MESSAGE = 120;

/** Strings that must never reach an error message: the token and the text secrel sent. */
export type Redactions = readonly (string | undefined)[];

function redact(text: string, redactions: Redactions): string {
  let out = text;
  for (const secret of redactions) {
    if (secret !== undefined && secret.length >= 4) out = out.split(secret).join('[redacted]');
  }
  return out;
}

function oneLine(text: string, redactions: Redactions): string {
  const flat = redact(text, redactions).replace(/\s+/g, ' ').trim();
  return flat.length > MAX_MESSAGE ? `${flat.slice(0, MAX_MESSAGE)}…` : flat;
}

function statusOf(error: GitbeakerRequestError): number | undefined {
  const cause: unknown = error.cause;
  if (typeof cause !== 'object' || cause === null || !('response' in cause)) return undefined;
  const response: unknown = cause.response;
  return response instanceof Response ? response.status : undefined;
}

/**
 * Turns whatever gitbeaker or fetch threw into a {@link GitLabApiError}. The gitbeaker error is
 * not kept as `cause`: its request carries the `PRIVATE-TOKEN` header, and a logged cause
 * would leak it.
 */
export function toGitLabApiError(operation: string, error: unknown, redactions: Redactions): GitLabApiError {
  if (error instanceof GitLabApiError) return error;
  if (error instanceof GitbeakerRequestError) {
    const status = statusOf(error);
    const message = oneLine(error.message, redactions);
    const reason = `GitLab answered ${status ?? 'an error'}${message ? ` (${message})` : ''}`;
    return new GitLabApiError(operation, status, status === undefined || isTransientStatus(status), reason);
  }
  if (error instanceof GitbeakerRetryError) {
    // gitbeaker gave up after its own retries of 429/502.
    const status = /last status code: (\d{3})/.exec(error.message)?.[1];
    return new GitLabApiError(
      operation,
      status ? Number(status) : undefined,
      true,
      'GitLab kept answering 429/502',
    );
  }
  if (error instanceof GitbeakerTimeoutError) {
    return new GitLabApiError(operation, undefined, true, 'GitLab did not answer in time');
  }
  // fetch's network failures are TypeErrors ("fetch failed"); anything else is unknown, so retry.
  const name = error instanceof Error ? error.name : 'error';
  return new GitLabApiError(operation, undefined, true, `GitLab could not be reached (${name})`);
}
