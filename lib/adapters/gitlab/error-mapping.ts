import { isTransientStatus } from '../../core/transient-status.js';
import { GitLabApiError } from './errors.js';
import { GitLabHttpError } from './requester.js';

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

/**
 * Turns whatever a GitLab call threw into a {@link GitLabApiError}: GitLab's answer keeps its
 * status and its one-line message (redacted); no answer at all (timeout, network) is transient.
 * Nothing is kept as `cause`, so logging the error cannot reveal a request or its token.
 */
export function toGitLabApiError(operation: string, error: unknown, redactions: Redactions): GitLabApiError {
  if (error instanceof GitLabApiError) return error;
  if (error instanceof GitLabHttpError) {
    const message = oneLine(error.gitlabMessage, redactions);
    const reason = `GitLab answered ${error.status}${message ? ` (${message})` : ''}`;
    return new GitLabApiError(operation, error.status, isTransientStatus(error.status), reason);
  }
  const name = error instanceof Error ? error.name : 'error';
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new GitLabApiError(operation, undefined, true, 'GitLab did not answer in time');
  }
  // fetch's network failures are TypeErrors ("fetch failed").
  return new GitLabApiError(operation, undefined, true, `GitLab could not be reached (${name})`);
}
