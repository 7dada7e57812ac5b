import { describe, expect, it } from 'vitest';
import { GitLabClient } from '../../../lib/adapters/gitlab/client.js';
import { GitLabApiError } from '../../../lib/adapters/gitlab/errors.js';
import { MAX_RATE_LIMIT_RETRIES, retryAfterMs } from '../../../lib/adapters/gitlab/requester.js';
import { type FakeGitLab, startFakeGitLab } from '../../../lib/local/fakes/index.js';
import { failure } from '../../support/failure.js';
import { withFake } from '../../support/with-fake.js';

/**
 * GitLab under strain, through gitbeaker to the fake GitLab over HTTP: a 429 with a short
 * `Retry-After` is sent again after that wait (a rate-limited call was not processed, so even a
 * create is safe to repeat) and the issue exists once; a long wait, 5xx answers and timeouts are
 * not repeated here: they fail as transient for the state machine's retry, and a create whose
 * answer never came is never repeated blindly.
 */

const PROJECT = { id: 7, path: 'security/product', defaultBranch: 'main' };
const ISSUE = { title: 'Security release', description: '', confidential: true } as const;

let gitlab: FakeGitLab;
let client: GitLabClient;

withFake(
  () => startFakeGitLab({ projects: [PROJECT] }),
  (fake) => {
    gitlab = fake;
    client = new GitLabClient({ host: gitlab.url, token: gitlab.token, timeoutMs: 8_000 });
  },
);

const issuePosts = () => gitlab.calls.filter((c) => c.method === 'POST' && /\/issues$/.test(c.path));

describe('GitLab rate limiting and failures', () => {
  it('waits the Retry-After GitLab gave, sends the create again, and the issue exists once', async () => {
    gitlab.failRequests({ method: 'POST', path: /issues$/, status: 429, times: 2, retryAfter: '1' });
    const started = Date.now();
    const issue = await client.createIssue(PROJECT.id, ISSUE);
    expect(issue.iid).toBe(1);
    expect(gitlab.issues).toHaveLength(1);
    expect(issuePosts()).toHaveLength(3);
    // Two waits of one second each: a lower bound only, so a slow machine cannot fail it.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_900);
  });

  it('reads Retry-After given as an HTTP date', async () => {
    const soon = new Date(Date.now() + 1_000).toUTCString();
    gitlab.failRequests({ method: 'POST', path: /issues$/, status: 429, times: 1, retryAfter: soon });
    await client.createIssue(PROJECT.id, ISSUE);
    expect(gitlab.issues).toHaveLength(1);
    expect(issuePosts()).toHaveLength(2);
  });

  it('gives up after a few rate-limited answers and reports it transient', async () => {
    gitlab.failRequests({ method: 'POST', path: /issues$/, status: 429, times: 10, retryAfter: '0' });
    const error = await failure(GitLabApiError, () => client.createIssue(PROJECT.id, ISSUE));
    expect(error).toMatchObject({ status: 429, transient: true });
    expect(issuePosts()).toHaveLength(1 + MAX_RATE_LIMIT_RETRIES);
    expect(gitlab.issues).toHaveLength(0);
  });

  it('leaves a long Retry-After to the state machine: one call, transient', async () => {
    gitlab.failRequests({ method: 'POST', path: /issues$/, status: 429, times: 1, retryAfter: '120' });
    const error = await failure(GitLabApiError, () => client.createIssue(PROJECT.id, ISSUE));
    expect(error).toMatchObject({ status: 429, transient: true });
    expect(issuePosts()).toHaveLength(1);
  });

  it('reports GitLab\'s 429, not "no answer", when the request runs out of time while waiting', async () => {
    gitlab.failRequests({ method: 'POST', path: /issues$/, status: 429, times: 1, retryAfter: '5' });
    const impatient = new GitLabClient({ host: gitlab.url, token: gitlab.token, timeoutMs: 1_000 });
    const error = await failure(GitLabApiError, () => impatient.createIssue(PROJECT.id, ISSUE));
    // An answered call did not take effect: the action may send it again (no person needed).
    expect(error).toMatchObject({ status: 429, transient: true });
    expect(issuePosts()).toHaveLength(1);
  });

  for (const status of [500, 502]) {
    it(`does not repeat a create GitLab answered ${status}: transient, for the state machine`, async () => {
      gitlab.failRequests({ method: 'POST', path: /issues$/, status, times: 1, retryAfter: '1' });
      const error = await failure(GitLabApiError, () => client.createIssue(PROJECT.id, ISSUE));
      expect(error).toMatchObject({ status, transient: true });
      expect(issuePosts()).toHaveLength(1);
    });
  }

  it('does not repeat a create whose answer never came (timeout): transient, one call', async () => {
    gitlab.failRequests({ method: 'POST', path: /issues$/, status: 201, times: 1, delayMs: 5_000 });
    const impatient = new GitLabClient({ host: gitlab.url, token: gitlab.token, timeoutMs: 1_000 });
    const error = await failure(GitLabApiError, () => impatient.createIssue(PROJECT.id, ISSUE));
    expect(error).toMatchObject({ status: undefined, transient: true });
    expect(error.message).toBe('createIssue: GitLab did not answer in time');
    expect(issuePosts()).toHaveLength(1);
  });
});

describe('retryAfterMs', () => {
  it('reads seconds and HTTP dates, and nothing else', () => {
    const now = Date.parse('2026-11-30T00:00:00Z');
    expect(retryAfterMs('3', now)).toBe(3_000);
    expect(retryAfterMs(' 0 ', now)).toBe(0);
    expect(retryAfterMs('Mon, 30 Nov 2026 00:00:05 GMT', now)).toBe(5_000);
    expect(retryAfterMs('Sun, 29 Nov 2026 23:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs(null, now)).toBeUndefined();
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs('-1', now)).toBeUndefined();
  });
});
