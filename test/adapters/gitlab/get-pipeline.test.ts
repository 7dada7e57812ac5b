import { describe, expect, it } from 'vitest';
import { GitLabClient } from '../../../lib/adapters/gitlab/client.js';
import { GitLabApiError } from '../../../lib/adapters/gitlab/errors.js';
import { type FakeGitLab, startFakeGitLab } from '../../../lib/local/fakes/index.js';
import { withFake } from '../../support/with-fake.js';

/** Reading a pipeline back through gitbeaker, against the fake GitLab over HTTP (reconciliation). */

const PROJECT = { id: 7, path: 'security/product', defaultBranch: 'main' };

let gitlab: FakeGitLab;
let client: GitLabClient;

withFake(
  () => startFakeGitLab({ projects: [PROJECT] }),
  (fake) => {
    gitlab = fake;
    gitlab.setWebhook('http://127.0.0.1:1/webhooks/gitlab');
    client = new GitLabClient({ host: gitlab.url, token: gitlab.token });
  },
);

describe('GitLabClient.getPipeline', () => {
  it('reads status, ref, project path and only the SECREL_ variables of a pipeline', async () => {
    const started = await client.createPipeline(PROJECT.path, '17-5-stable', {
      DEPLOY_TOKEN: 'do-not-keep-me',
      SECREL_RELEASE_ID: '7-1',
      SECREL_ACTION: 'publish-packages',
    });
    const before = await client.getPipeline(PROJECT.id, started.id);
    await gitlab.completePipeline(started.id, 'success');
    const after = await client.getPipeline(PROJECT.path, started.id);

    expect(before.status).toBe('created');
    expect(after).toMatchObject({
      id: started.id,
      projectId: PROJECT.id,
      projectPath: PROJECT.path,
      ref: '17-5-stable',
      status: 'success',
      source: 'api',
      variables: { SECREL_RELEASE_ID: '7-1', SECREL_ACTION: 'publish-packages' },
    });
    expect(Object.keys(after.variables)).not.toContain('DEPLOY_TOKEN');
    expect(Date.parse(after.updatedAt)).toBeGreaterThan(Date.parse(before.updatedAt));
    const reads = gitlab.calls.filter((c) => c.method === 'GET').map((c) => decodeURIComponent(c.path));
    expect(reads).toContain(`/api/v4/projects/${PROJECT.path}/pipelines/${started.id}/variables`);
  });

  it('marks a pipeline GitLab does not know a permanent error', async () => {
    const error = await client.getPipeline(PROJECT.id, 999_999).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(GitLabApiError);
    expect((error as GitLabApiError).transient).toBe(false);
  });
});
