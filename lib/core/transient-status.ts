/**
 * Whether an HTTP status from an outside system (GitLab, version server, HackerOne, Slack) is
 * worth retrying: timeouts, rate limits and server errors pass; other 4xx fail the same way again.
 * One rule for the adapters that map answers and for the steps that judge failures.
 */
export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}
