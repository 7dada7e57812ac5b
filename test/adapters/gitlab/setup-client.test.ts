import { afterEach, describe, expect, it } from 'vitest';
import { GitLabApiError } from '../../../lib/adapters/gitlab/errors.js';
import { GitLabSetupClient } from '../../../lib/adapters/gitlab/setup-client.js';
import { type FakeGitLab, startFakeGitLab } from '../../../lib/local/fakes/gitlab/fake-gitlab.js';

/** The setup client over HTTP against the fake GitLab: GitLab's field names in, secrets kept out. */

const SECRET = 'setup-client-webhook-secret-9c1e';
const URL = 'https://secrel.example.com/webhooks/gitlab';

let gitlab: FakeGitLab | undefined;

afterEach(async () => {
  await gitlab?.close();
  gitlab = undefined;
});

async function client(): Promise<{ fake: FakeGitLab; setup: GitLabSetupClient }> {
  gitlab = await startFakeGitLab({ projects: [{ id: 5, path: 'acme/product', defaultBranch: 'main' }] });
  return { fake: gitlab, setup: new GitLabSetupClient({ host: gitlab.url, token: gitlab.token }) };
}

describe('GitLabSetupClient', () => {
  it("sends secrel's hook in GitLab's field names: nine triggers on, push off, SSL verification, the secret", async () => {
    const { fake, setup } = await client();
    const hook = await setup.addHook('acme/product', {
      url: URL,
      enableSslVerification: true,
      secret: SECRET,
    });
    const sent = fake.calls.find((c) => c.method === 'POST' && c.path.endsWith('/hooks'));
    expect(sent?.path).toBe('/api/v4/projects/acme%2Fproduct/hooks');
    expect(sent?.body).toEqual({
      url: URL,
      token: SECRET,
      enable_ssl_verification: true,
      push_events: false,
      issues_events: true,
      confidential_issues_events: true,
      merge_requests_events: true,
      pipeline_events: true,
      note_events: true,
      confidential_note_events: true,
      deployment_events: true,
      releases_events: true,
      tag_push_events: true,
    });
    expect(hook.triggers).toHaveLength(9);
    expect(await setup.hooks(5)).toEqual([hook]);
  });

  it('keeps the API token and the webhook secret out of its errors, even when GitLab echoes them', async () => {
    const { fake, setup } = await client();
    fake.failRequests({
      method: 'POST',
      path: /hooks$/,
      status: 400,
      times: 1,
      body: { message: `token ${SECRET} rejected for ${fake.token}` },
    });
    const error = await setup
      .addHook(5, { url: URL, enableSslVerification: true, secret: SECRET })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitLabApiError);
    const message = (error as Error).message;
    expect(message).toBe('addHook: GitLab answered 400 (token [redacted] rejected for [redacted])');
  });

  it('reads a missing project and an unknown user as absent, not as failures', async () => {
    const { setup } = await client();
    expect(await setup.project(999)).toBeUndefined();
    expect(await setup.project('acme/product')).toMatchObject({
      id: 5,
      path: 'acme/product',
      accessLevel: 40,
    });
    expect(await setup.user('Someone')).toMatchObject({ username: 'Someone', state: 'active' });
  });
});
