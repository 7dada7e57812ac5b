import { afterAll, beforeAll, beforeEach } from 'vitest';
import { GitLabClient, type GitLabClientOptions } from '../../lib/adapters/gitlab/client.js';
import {
  type FakeGitLab,
  type FakeGitLabOptions,
  startFakeGitLab,
} from '../../lib/local/fakes/fake-gitlab.js';

/**
 * The GitLab adapter tests' setup: one fake GitLab for the file, reset before each test, with a
 * fresh {@link GitLabClient} on it handed to `use` (the test keeps both in its own variables).
 */
export function withFakeGitLab(
  options: FakeGitLabOptions,
  use: (gitlab: FakeGitLab, client: GitLabClient) => void,
  clientOptions: Pick<GitLabClientOptions, 'timeoutMs'> = {},
): void {
  let gitlab: FakeGitLab | undefined;
  beforeAll(async () => {
    gitlab = await startFakeGitLab(options);
  });
  afterAll(() => gitlab?.close());
  beforeEach(() => {
    if (!gitlab) throw new Error('the fake GitLab did not start');
    gitlab.reset();
    use(gitlab, new GitLabClient({ host: gitlab.url, token: gitlab.token, ...clientOptions }));
  });
}
