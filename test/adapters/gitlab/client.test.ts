import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { GitLabClient } from '../../../lib/adapters/gitlab/client.js';
import { GitLabApiError } from '../../../lib/adapters/gitlab/errors.js';
import { type FakeGitLab, startFakeGitLab } from '../../../lib/local/fakes/index.js';
import { failure } from '../../support/failure.js';
import { withFake } from '../../support/with-fake.js';

const PROJECT = { id: 7, path: 'security/product', defaultBranch: 'main' };
const INFRA = { id: 9, path: 'infra/production', defaultBranch: 'main' };

let gitlab: FakeGitLab;
let client: GitLabClient;

withFake(
  () => startFakeGitLab({ projects: [PROJECT, INFRA], users: ['alice', 'bob'] }),
  (fake) => {
    gitlab = fake;
    client = new GitLabClient({ host: gitlab.url, token: gitlab.token });
  },
);

function callsTo(method: string, pathEnd: RegExp) {
  return gitlab.calls.filter((c) => c.method === method && pathEnd.test(decodeURIComponent(c.path)));
}

describe('GitLabClient against the fake GitLab', () => {
  it('creates the confidential release issue with its labels and returns its iid and URL', async () => {
    const issue = await client.createIssue(PROJECT.id, {
      title: 'Security release 17.5.1',
      description: '- [ ] Validate fixes',
      confidential: true,
      labels: ['security', 'critical security release'],
    });

    expect(issue).toEqual({ iid: 1, url: `${gitlab.url}/security/product/-/issues/1` });
    const [call] = callsTo('POST', /^\/api\/v4\/projects\/7\/issues$/);
    expect(call?.headers['private-token']).toBe(gitlab.token);
    expect(call?.body).toEqual({
      title: 'Security release 17.5.1',
      description: '- [ ] Validate fixes',
      confidential: true,
      labels: 'security,critical security release',
    });
    expect(gitlab.issues[0]).toMatchObject({
      confidential: true,
      labels: ['security', 'critical security release'],
    });
  });

  it('addresses a project by its path, URL-encoded as GitLab expects', async () => {
    await client.createIssue('infra/production', {
      title: 'Mitigation',
      description: '',
      confidential: true,
    });

    expect(gitlab.calls[0]?.path).toBe('/api/v4/projects/infra%2Fproduction/issues');
    expect(gitlab.issues[0]?.projectId).toBe(INFRA.id);
  });

  it('lifts confidentiality and closes an issue with one edit', async () => {
    const { iid } = await client.createIssue(PROJECT.id, {
      title: 'Vuln',
      description: '',
      confidential: true,
    });

    await client.editIssue(PROJECT.id, iid, { confidential: false, stateEvent: 'close' });

    expect(callsTo('PUT', /issues\/1$/)[0]?.body).toEqual({ confidential: false, state_event: 'close' });
    expect(gitlab.issues[0]).toMatchObject({ confidential: false, state: 'closed' });
  });

  it('sends nothing to GitLab for an edit that changes nothing', async () => {
    await client.editIssue(PROJECT.id, 1, {});

    expect(gitlab.calls).toHaveLength(0);
  });

  it('comments on the release issue', async () => {
    const { iid } = await client.createIssue(PROJECT.id, {
      title: 'Release',
      description: '',
      confidential: true,
    });

    const note = await client.createIssueNote(PROJECT.id, iid, '@alice Day one starts: validate the fixes');

    expect(note.id).toBeGreaterThan(0);
    expect(callsTo('POST', /issues\/1\/notes$/)[0]?.body).toEqual({
      body: '@alice Day one starts: validate the fixes',
    });
  });

  it('links the release issue to the vulnerability issue, and a second link counts as done', async () => {
    await client.createIssue(PROJECT.id, { title: 'Vuln', description: '', confidential: true });
    await client.createIssue(PROJECT.id, { title: 'Release', description: '', confidential: true });

    await client.linkIssues(PROJECT.id, 2, PROJECT.id, 1);
    await client.linkIssues(PROJECT.id, 2, PROJECT.id, 1);

    const links = callsTo('POST', /issues\/2\/links$/);
    expect(links).toHaveLength(2);
    expect(links[0]?.body).toEqual({ target_project_id: 7, target_issue_iid: 1 });
    expect(gitlab.issues[1]?.links).toEqual([{ projectId: 7, iid: 1 }]);
  });

  it('creates the patch branch from the security branch, and an existing branch counts as done', async () => {
    await client.createBranch(PROJECT.id, 'security-fix-17-5', '17-5-stable-security');
    await client.createBranch(PROJECT.id, 'security-fix-17-5', '17-5-stable-security');

    expect(callsTo('POST', /repository\/branches$/)[0]?.body).toEqual({
      branch: 'security-fix-17-5',
      ref: '17-5-stable-security',
    });
    expect(gitlab.branches).toHaveLength(1);
  });

  it('opens the draft MR assigned to the owners, resolving each username once', async () => {
    const first = await client.createMergeRequest(PROJECT.id, {
      sourceBranch: 'security-fix-17-5',
      targetBranch: '17-5-stable',
      title: 'Draft: security fix for 17.5',
      description: 'Fixes #1',
      assignees: ['alice', 'bob'],
    });
    await client.createMergeRequest(PROJECT.id, {
      sourceBranch: 'security-fix-17-4',
      targetBranch: '17-4-stable',
      title: 'Draft: security fix for 17.4',
      description: 'Fixes #1',
      assignees: ['alice'],
    });

    expect(first).toEqual({ iid: 1, url: `${gitlab.url}/security/product/-/merge_requests/1` });
    expect(callsTo('POST', /merge_requests$/)[0]?.body).toEqual({
      source_branch: 'security-fix-17-5',
      target_branch: '17-5-stable',
      title: 'Draft: security fix for 17.5',
      description: 'Fixes #1',
      assignee_ids: [100, 101],
    });
    const lookups = callsTo('GET', /^\/api\/v4\/users$/).map((c) => c.query.username);
    expect(lookups).toEqual(['alice', 'bob']);
  });

  it('returns the open MR for the same branches instead of failing when GitLab says it exists', async () => {
    const mr = {
      sourceBranch: 'security-fix-17-5',
      targetBranch: '17-5-stable',
      title: 'Draft: fix',
      description: '',
      assignees: [],
    };
    const first = await client.createMergeRequest(PROJECT.id, mr);

    const again = await client.createMergeRequest(PROJECT.id, mr);

    expect(again).toEqual(first);
    expect(gitlab.mergeRequests).toHaveLength(1);
  });

  it('refuses, permanently, an assignee who is not a GitLab user', async () => {
    const error = await failure(GitLabApiError, () =>
      client.createMergeRequest(PROJECT.id, {
        sourceBranch: 'a',
        targetBranch: 'main',
        title: 't',
        description: '',
        assignees: ['mallory'],
      }),
    );

    expect(error.transient).toBe(false);
    expect(error.message).toContain('mallory');
    expect(callsTo('POST', /merge_requests$/)).toHaveLength(0);
  });

  it('starts a publish pipeline with its variables as key/value pairs', async () => {
    const pipeline = await client.createPipeline(PROJECT.id, '17-5-stable', {
      SECREL_RELEASE_ID: '7-1',
      SECREL_ACTION: 'publish-packages',
    });

    expect(pipeline).toEqual({
      id: 1,
      url: `${gitlab.url}/security/product/-/pipelines/1`,
      projectId: PROJECT.id,
    });
    expect(callsTo('POST', /pipeline$/)[0]?.body).toEqual({
      ref: '17-5-stable',
      variables: [
        { key: 'SECREL_RELEASE_ID', value: '7-1' },
        { key: 'SECREL_ACTION', value: 'publish-packages' },
      ],
    });
  });

  it('answers the project id GitLab gives for a project named by path', async () => {
    const pipeline = await client.createPipeline(PROJECT.path, 'main', {});
    expect(pipeline.projectId).toBe(PROJECT.id);
    expect(callsTo('POST', /pipeline$/)[0]?.path).toContain(encodeURIComponent(PROJECT.path));
  });
});

describe('GitLabClient error mapping', () => {
  it('marks a 503 from GitLab transient, so the state machine retries', async () => {
    gitlab.failRequests({ method: 'POST', path: /pipeline$/, status: 503, times: 1 });

    const error = await failure(GitLabApiError, () => client.createPipeline(PROJECT.id, 'main', {}));

    expect(error).toMatchObject({ status: 503, transient: true, operation: 'createPipeline' });
  });

  it('marks rate limiting (429) transient, leaving the retry to the state machine', async () => {
    gitlab.failRequests({ method: 'POST', path: /notes$/, status: 429, times: Number.POSITIVE_INFINITY });
    const { iid } = await client.createIssue(PROJECT.id, { title: 'R', description: '', confidential: true });

    const error = await failure(GitLabApiError, () => client.createIssueNote(PROJECT.id, iid, 'hello'));

    expect(error).toMatchObject({ status: 429, transient: true });
    expect(callsTo('POST', /notes$/)).toHaveLength(1);
  });

  it('marks a 404 permanent: the project does not exist', async () => {
    const error = await failure(GitLabApiError, () =>
      client.createIssue(404, { title: 'T', description: '', confidential: true }),
    );

    expect(error).toMatchObject({ status: 404, transient: false });
    expect(error.message).toBe('createIssue: GitLab answered 404 (404 Project Not Found)');
  });

  it('marks a wrong token permanent and never repeats the token', async () => {
    const wrong = new GitLabClient({ host: gitlab.url, token: 'glpat-wrong-token-123' });

    const error = await failure(GitLabApiError, () => wrong.createBranch(PROJECT.id, 'b', 'main'));

    expect(error).toMatchObject({ status: 401, transient: false });
    expect(error.message).not.toContain('glpat-wrong-token-123');
    expect(error.cause).toBeUndefined();
  });

  it('keeps the confidential title and description out of the error even when GitLab echoes them', async () => {
    gitlab.failRequests({
      method: 'POST',
      path: /issues$/,
      status: 400,
      times: 1,
      body: { message: 'title SQL injection in login is invalid; description Steps to exploit' },
    });

    const error = await failure(GitLabApiError, () =>
      client.createIssue(PROJECT.id, {
        title: 'SQL injection in login',
        description: 'Steps to exploit',
        confidential: true,
      }),
    );

    expect(error.transient).toBe(false);
    expect(error.message).not.toContain('SQL injection in login');
    expect(error.message).not.toContain('Steps to exploit');
  });

  it('marks a GitLab that does not answer in time transient', async () => {
    const silent = createServer(() => {
      // Never answers, like a GitLab stuck behind a load balancer.
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    const slow = new GitLabClient({ host: `http://127.0.0.1:${port}`, token: 'x', timeoutMs: 200 });

    try {
      const error = await failure(GitLabApiError, () => slow.createBranch(1, 'b', 'main'));
      expect(error).toMatchObject({ status: undefined, transient: true });
      expect(error.message).toBe('createBranch: GitLab did not answer in time');
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('marks an unreachable GitLab transient', async () => {
    const closed = await startFakeGitLab();
    const host = closed.url;
    await closed.close();
    const offline = new GitLabClient({ host, token: 'x' });

    const error = await failure(GitLabApiError, () => offline.createPipeline(1, 'main', {}));

    expect(error).toMatchObject({ status: undefined, transient: true });
  });
});
