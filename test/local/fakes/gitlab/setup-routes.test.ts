import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type FakeGitLab,
  type FakeGitLabOptions,
  startFakeGitLab,
} from '../../../../lib/local/fakes/gitlab/fake-gitlab.js';
import { type Receiver, startReceiver } from '../receiver.js';

/** The fake GitLab's setup API over plain HTTP, in GitLab's own field names and answers. */

const PROJECT = { id: 7, path: 'security/product', defaultBranch: 'main' };
const SECRET = 'hook-secret-for-tests';

let receiver: Receiver;
let gitlab: FakeGitLab | undefined;

beforeEach(async () => {
  receiver = await startReceiver();
});
afterEach(async () => {
  await gitlab?.close();
  gitlab = undefined;
  await receiver.close();
});

async function fakeGitLab(options: FakeGitLabOptions = {}): Promise<FakeGitLab> {
  gitlab = await startFakeGitLab({ projects: [PROJECT], ...options });
  return gitlab;
}

async function api(
  fake: FakeGitLab,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${fake.url}/api/v4/${path}`, {
    method,
    headers: { 'private-token': fake.token, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as unknown) : undefined };
}

describe('fake GitLab project hooks', () => {
  it('lists, adds, edits and deletes hooks as GitLab does, never showing the secret token', async () => {
    const fake = await fakeGitLab();
    expect(await api(fake, 'GET', 'projects/7/hooks')).toEqual({ status: 200, json: [] });

    const added = await api(fake, 'POST', 'projects/security%2Fproduct/hooks', {
      url: receiver.url,
      token: SECRET,
      issues_events: true,
    });
    expect(added.status).toBe(201);
    // Push events are on unless the request turns them off, as in GitLab.
    expect(added.json).toMatchObject({
      id: 1,
      url: receiver.url,
      push_events: true,
      issues_events: true,
      confidential_issues_events: false,
      enable_ssl_verification: true,
    });
    expect(JSON.stringify(added.json)).not.toContain(SECRET);

    const edited = await api(fake, 'PUT', 'projects/7/hooks/1', {
      url: receiver.url,
      confidential_note_events: true,
      push_events: false,
      enable_ssl_verification: false,
    });
    expect(edited.json).toMatchObject({
      push_events: false,
      issues_events: true,
      confidential_note_events: true,
      enable_ssl_verification: false,
    });
    const listed = await api(fake, 'GET', 'projects/7/hooks');
    expect(Array.isArray(listed.json) && listed.json.length).toBe(1);
    // The secret set at creation is kept by an edit that does not send one.
    expect(fake.setup.hooks[0]?.token).toBe(SECRET);

    // A new URL without a new secret drops the old one, as GitLab does.
    await api(fake, 'PUT', 'projects/7/hooks/1', { url: `${receiver.url}/moved` });
    expect(fake.setup.hooks[0]?.token).toBeUndefined();

    expect((await api(fake, 'DELETE', 'projects/7/hooks/1')).status).toBe(204);
    expect((await api(fake, 'GET', 'projects/7/hooks')).json).toEqual([]);
    expect((await api(fake, 'GET', 'projects/7/hooks/1')).status).toBe(404);
    expect((await api(fake, 'GET', 'projects/8/hooks')).status).toBe(404);
  });

  it('sends a test delivery as a real POST with the hook secret and event header; 201 only when the receiver said 2xx', async () => {
    const fake = await fakeGitLab();
    await api(fake, 'POST', 'projects/7/hooks', { url: receiver.url, token: SECRET });
    const sent = await api(fake, 'POST', 'projects/7/hooks/1/test/push_events');
    expect(sent).toEqual({ status: 201, json: { message: '201 Created' } });
    expect(receiver.received).toHaveLength(1);
    const [delivery] = receiver.received;
    expect(delivery?.headers['x-gitlab-token']).toBe(SECRET);
    expect(delivery?.headers['x-gitlab-event']).toBe('Push Hook');
    expect(delivery?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(delivery?.body ?? '{}')).toMatchObject({
      object_kind: 'push',
      project: { id: 7, path_with_namespace: 'security/product' },
    });

    receiver.answer(401);
    const refused = await api(fake, 'POST', 'projects/7/hooks/1/test/push_events');
    expect(refused.status).toBe(422);
    expect(fake.setup.testDeliveries.map((d) => d.status)).toEqual([200, 401]);

    // A trigger with no data in the project: GitLab asks for some, and nothing is sent.
    const empty = await api(fake, 'POST', 'projects/7/hooks/1/test/confidential_issues_events');
    expect(empty.status).toBe(422);
    expect(receiver.received).toHaveLength(2);

    // With a confidential issue there is one to send.
    receiver.answer(200);
    fake.openIssue({ title: 'A report', confidential: true });
    expect((await api(fake, 'POST', 'projects/7/hooks/1/test/confidential_issues_events')).status).toBe(201);
    expect(receiver.received[2]?.headers['x-gitlab-event']).toBe('Confidential Issue Hook');
  });

  it('refuses hook changes and tests without api scope, and hooks below Maintainer', async () => {
    const readOnly = await fakeGitLab({ setup: { tokenScopes: ['read_api'] } });
    expect((await api(readOnly, 'GET', 'projects/7/hooks')).status).toBe(200);
    const refused = await api(readOnly, 'POST', 'projects/7/hooks', { url: receiver.url });
    expect(refused).toMatchObject({ status: 403, json: { error: 'insufficient_scope' } });
    expect((await api(readOnly, 'GET', 'personal_access_tokens/self')).json).toMatchObject({
      scopes: ['read_api'],
      active: true,
    });
    await readOnly.close();

    const developer = await fakeGitLab({ setup: { accessLevel: 30 } });
    expect((await api(developer, 'GET', 'projects/7/hooks')).status).toBe(403);
    expect((await api(developer, 'GET', 'projects/7')).json).toMatchObject({
      path_with_namespace: 'security/product',
      permissions: { project_access: { access_level: 30 } },
    });
  });
});

describe('fake GitLab users, branches and token', () => {
  it('answers users with their state, and nothing for an unknown username', async () => {
    const fake = await fakeGitLab({ users: ['alice', 'bob'], setup: { blockedUsers: ['bob'] } });
    expect((await api(fake, 'GET', 'users?username=alice')).json).toMatchObject([
      { username: 'alice', state: 'active' },
    ]);
    expect((await api(fake, 'GET', 'users?username=bob')).json).toMatchObject([
      { username: 'bob', state: 'blocked' },
    ]);
    expect((await api(fake, 'GET', 'users?username=carol')).json).toEqual([]);
    expect((await api(fake, 'GET', 'user')).json).toMatchObject({ username: 'secrel-bot' });
  });

  it('lists protected branches as rules and branches filtered by regex, marking the protected ones', async () => {
    const fake = await fakeGitLab({
      setup: {
        protectedBranches: { 'security/product': ['main', '*-stable'] },
        branches: { 'security/product': ['17-5-stable', 'feature'] },
      },
    });
    expect((await api(fake, 'GET', 'projects/7/protected_branches')).json).toMatchObject([
      { name: 'main' },
      { name: '*-stable' },
    ]);
    const stable = await api(
      fake,
      'GET',
      `projects/7/repository/branches?regex=${encodeURIComponent('-stable$')}`,
    );
    expect(stable.json).toMatchObject([{ name: '17-5-stable', protected: true, default: false }]);
    const all = await api(fake, 'GET', 'projects/7/repository/branches');
    expect((all.json as { name: string; protected: boolean }[]).map((b) => [b.name, b.protected])).toEqual([
      ['main', true],
      ['17-5-stable', true],
      ['feature', false],
    ]);
  });
});
