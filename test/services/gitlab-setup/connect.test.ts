import { afterEach, describe, expect, it } from 'vitest';
import { SECREL_HOOK_TRIGGERS } from '../../../lib/core/setup/index.js';
import { freePort } from '../../../lib/local/dynamo-local.js';
import { checkGitLabSetup, connectGitLab } from '../../../lib/services/gitlab-setup/index.js';
import {
  SETUP_PROJECTS,
  SETUP_SECRET,
  type SetupWorld,
  seedCompleteHooks,
  setupConfig,
  startSetupWorld,
} from './setup-world.js';

/** `secrel connect`'s use case against the fake GitLab over HTTP and a running local secrel. */

let world: SetupWorld | undefined;

/** Stable branches in both projects, so a check has no branch warning to give. */
const STABLE_BRANCHES = {
  protectedBranches: { 'acme/product': ['main', '17-5-stable'], 'acme/omnibus': ['master', '17-5-stable'] },
};

afterEach(async () => {
  await world?.close();
  world = undefined;
});

async function open(...args: Parameters<typeof startSetupWorld>): Promise<SetupWorld> {
  world = await startSetupWorld(...args);
  return world;
}

const hookWrites = (w: SetupWorld) =>
  w.gitlab.calls.filter((c) => /\/hooks(\/\d+)?$/.test(c.path) && c.method !== 'GET');

describe('connectGitLab', () => {
  it('creates one hook per project with all nine triggers, SSL on, the secret set, and a test delivery secrel accepts', {
    timeout: 60_000,
  }, async () => {
    const w = await open();
    const report = await connectGitLab(w.config, w.api, {
      webhookUrl: w.runtime.webhookUrl,
      secret: SETUP_SECRET,
      apply: true,
    });
    expect(report.problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(report.projects.map((p) => [p.path, p.hook.action, p.test?.received])).toEqual([
      ['acme/product', 'created', true],
      ['acme/omnibus', 'created', true],
    ]);
    expect(w.gitlab.setup.hooks).toHaveLength(2);
    for (const project of SETUP_PROJECTS) {
      const hooks = w.gitlab.setup.hooks.filter((h) => h.projectId === project.id);
      expect(hooks).toHaveLength(1);
      const [hook] = hooks;
      expect(hook?.url).toBe(w.runtime.webhookUrl);
      expect(hook?.token).toBe(SETUP_SECRET);
      expect(hook?.enableSslVerification).toBe(true);
      for (const trigger of SECREL_HOOK_TRIGGERS) expect(hook?.triggers[trigger], trigger).toBe(true);
      // secrel reads no pushes, so its hook does not ask for them.
      expect(hook?.triggers.push_events).toBe(false);
    }
    // The test deliveries really went to secrel, which authenticated them (202: a Push Hook it ignores).
    expect(w.gitlab.setup.testDeliveries.map((d) => [d.url, d.event, d.status])).toEqual([
      [w.runtime.webhookUrl, 'Push Hook', 202],
      [w.runtime.webhookUrl, 'Push Hook', 202],
    ]);
    expect(JSON.stringify(report)).not.toContain(SETUP_SECRET);
  });

  it('a second run changes nothing', { timeout: 60_000 }, async () => {
    const w = await open();
    const options = { webhookUrl: w.runtime.webhookUrl, secret: SETUP_SECRET, apply: true } as const;
    await connectGitLab(w.config, w.api, options);
    const writesAfterFirst = hookWrites(w).length;
    const before = structuredClone(w.gitlab.setup.hooks);
    const second = await connectGitLab(w.config, w.api, options);
    expect(second.projects.map((p) => p.hook.action)).toEqual(['unchanged', 'unchanged']);
    expect(second.projects.every((p) => p.test?.received)).toBe(true);
    expect(hookWrites(w)).toHaveLength(writesAfterFirst);
    expect(w.gitlab.setup.hooks).toEqual(before);
  });

  it('finds an existing hook by URL and repairs its missing triggers instead of adding a second', {
    timeout: 60_000,
  }, async () => {
    const w = await open();
    w.gitlab.setup.seedHook({ project: 42, url: 'https://chat.example.com/hook', triggers: ['push_events'] });
    const ours = w.gitlab.setup.seedHook({
      project: 42,
      // The same URL with a trailing slash is the same hook.
      url: `${w.runtime.webhookUrl}/`,
      token: SETUP_SECRET,
      triggers: ['issues_events', 'merge_requests_events', 'push_events'],
    });
    const checked = await checkGitLabSetup(w.config, w.api, { webhookUrl: w.runtime.webhookUrl });
    const product = checked.projects.find((p) => p.id === 42);
    expect(product?.hook).toMatchObject({ id: ours.id, action: 'needs update' });
    expect(product?.hook.missingTriggers).toEqual([
      'confidential_issues_events',
      'pipeline_events',
      'note_events',
      'confidential_note_events',
      'deployment_events',
      'releases_events',
      'tag_push_events',
    ]);
    expect(checked.problems.map((p) => `${p.key}: ${p.message}`)).toContain(
      "projects[0]: secrel's webhook in acme/product lacks Confidential issues events, Pipeline events, Comments, Confidential comments, Deployment events, Releases events, Tag push events; run secrel connect",
    );

    const report = await connectGitLab(w.config, w.api, {
      webhookUrl: w.runtime.webhookUrl,
      secret: SETUP_SECRET,
      apply: true,
    });
    expect(report.projects.map((p) => p.hook.action)).toEqual(['updated', 'created']);
    expect(report.problems.filter((p) => p.severity === 'error')).toEqual([]);
    const product42 = w.gitlab.setup.hooks.filter((h) => h.projectId === 42);
    expect(product42).toHaveLength(2);
    for (const trigger of SECREL_HOOK_TRIGGERS) expect(ours.triggers[trigger], trigger).toBe(true);
    // The other hook in the project is not secrel's and is left alone.
    expect(product42.find((h) => h.url === 'https://chat.example.com/hook')?.triggers.issues_events).toBe(
      false,
    );
  });

  it('a hook whose secret secrel refuses is reported by the check and fixed by connect', {
    timeout: 60_000,
  }, async () => {
    const w = await open();
    seedCompleteHooks(w, 'an-old-secret-nobody-has');
    const checked = await connectGitLab(w.config, w.api, { webhookUrl: w.runtime.webhookUrl, apply: false });
    expect(checked.projects.map((p) => [p.hook.action, p.test?.received])).toEqual([
      ['unchanged', false],
      ['unchanged', false],
    ]);
    expect(checked.problems.filter((p) => p.severity === 'error').map((p) => p.key)).toEqual([
      'projects[0]',
      'projects[1]',
    ]);
    expect(checked.problems.find((p) => p.key === 'projects[0]')?.message).toBe(
      `the test delivery to ${w.runtime.webhookUrl} was not received (GitLab reports: {"status":"unauthorized"}); make the URL reachable from GitLab and run secrel connect to set the secret`,
    );
    expect(w.gitlab.setup.testDeliveries.map((d) => d.status)).toEqual([401, 401]);
    expect(hookWrites(w)).toEqual([]);

    const fixed = await connectGitLab(w.config, w.api, {
      webhookUrl: w.runtime.webhookUrl,
      secret: SETUP_SECRET,
      apply: true,
    });
    expect(fixed.projects.map((p) => [p.hook.action, p.test?.received])).toEqual([
      ['updated', true],
      ['updated', true],
    ]);
    expect(fixed.problems.filter((p) => p.severity === 'error')).toEqual([]);
  });

  it('does not touch a hook whose URL GitLab cannot reach, and says what to do', {
    timeout: 60_000,
  }, async () => {
    const w = await open();
    const nowhere = `http://127.0.0.1:${await freePort()}/webhooks/gitlab`;
    for (const project of SETUP_PROJECTS) {
      w.gitlab.setup.seedHook({
        project: project.id,
        url: nowhere,
        token: SETUP_SECRET,
        triggers: [...SECREL_HOOK_TRIGGERS],
      });
    }
    const report = await connectGitLab(w.config, w.api, {
      webhookUrl: nowhere,
      secret: SETUP_SECRET,
      apply: true,
    });
    expect(report.projects.map((p) => [p.hook.action, p.test?.received])).toEqual([
      ['unchanged', false],
      ['unchanged', false],
    ]);
    expect(report.problems.find((p) => p.key === 'projects[0]')?.message).toBe(
      `the test delivery to ${nowhere} was not received (GitLab reports: Hook execution failed: TypeError); make the URL reachable from GitLab and check the secret`,
    );
    // Setting the secret again cannot help a delivery that reached nothing.
    expect(hookWrites(w)).toEqual([]);
  });

  it('turns SSL verification off only when asked (a local tunnel)', { timeout: 60_000 }, async () => {
    const w = await open();
    const report = await connectGitLab(w.config, w.api, {
      webhookUrl: w.runtime.webhookUrl,
      secret: SETUP_SECRET,
      apply: true,
      sslVerification: false,
    });
    expect(report.projects.map((p) => p.hook.sslVerification)).toEqual([false, false]);
    expect(w.gitlab.setup.hooks.map((h) => h.enableSslVerification)).toEqual([false, false]);
    // Checked later with the default, the hook is reported, not silently accepted.
    const checked = await checkGitLabSetup(w.config, w.api, { webhookUrl: w.runtime.webhookUrl });
    expect(checked.projects.map((p) => p.hook.action)).toEqual(['needs update', 'needs update']);
  });
});

describe('checkGitLabSetup', () => {
  it('reports each unknown or blocked username once, under the role that lists it', {
    timeout: 60_000,
  }, async () => {
    const w = await open({ blockedUsers: ['dev-two'] }, { users: ['sec-lead', 'dev-one', 'dev-two'] });
    seedCompleteHooks(w);
    const report = await checkGitLabSetup(w.config, w.api, { webhookUrl: w.runtime.webhookUrl });
    expect(report.users.map((u) => [u.username, u.state])).toEqual([
      ['sec-lead', 'found'],
      ['release-manager', 'missing'],
      ['dev-one', 'found'],
      ['dev-two', 'blocked'],
    ]);
    expect(report.problems.map((p) => `${p.severity} ${p.key}: ${p.message}`)).toEqual([
      'error roles.release managers: GitLab has no user "release-manager"; fix the username or remove it from the role',
      'error roles.dev team: GitLab user "dev-two" is blocked; unblock the account or name someone else',
      'warning versionBranchPattern: no branch of acme/product maps to a version; check the pattern against its stable branches',
      'warning versionBranchPattern: no branch of acme/omnibus maps to a version; check the pattern against its stable branches',
    ]);
  });

  it('reports a project GitLab does not have and one whose path is wrong', { timeout: 60_000 }, async () => {
    const w = await open();
    const config = setupConfig(w.gitlab.url, {
      projects: [
        { id: 42, path: 'acme/product-old-name', defaultBranch: 'main' },
        { id: 99, path: 'acme/gone', defaultBranch: 'main' },
      ],
    });
    const report = await checkGitLabSetup(config, w.api);
    const errors = report.problems.filter((p) => p.severity === 'error');
    expect(errors.map((p) => `${p.key}: ${p.message}`)).toEqual([
      'projects[0].path: GitLab\'s project 42 is "acme/product"; set path to it',
      "projects[1].id: GitLab has no project 99 that secrel-bot can see; fix the id or give the token's user access",
    ]);
    expect(report.projects.map((p) => p.found)).toEqual([true, false]);
  });

  it('refuses a token without api scope, and one GitLab does not accept', { timeout: 60_000 }, async () => {
    const w = await open({ tokenScopes: ['read_api', 'read_user'] });
    seedCompleteHooks(w);
    const report = await checkGitLabSetup(w.config, w.api, { webhookUrl: w.runtime.webhookUrl });
    expect(report.problems.filter((p) => p.severity === 'error')).toEqual([
      {
        key: 'GITLAB_TOKEN',
        severity: 'error',
        message:
          'the token has scopes read_api, read_user but secrel needs api; create a token with api scope',
      },
    ]);
    // And with read_api GitLab itself refuses to change a hook.
    await expect(
      w.api.addHook(42, { url: w.runtime.webhookUrl, enableSslVerification: true, secret: SETUP_SECRET }),
    ).rejects.toThrow(/403/);

    const { GitLabSetupClient } = await import('../../../lib/adapters/gitlab/setup-client.js');
    const refused = await checkGitLabSetup(
      w.config,
      new GitLabSetupClient({ host: w.gitlab.url, token: 'glpat-not-the-token' }),
    );
    expect(refused.problems).toHaveLength(1);
    expect(refused.problems[0]?.key).toBe('GITLAB_TOKEN');
    expect(refused.problems[0]?.message).toMatch(/refused the token .*401/);
    expect(JSON.stringify(refused)).not.toContain('glpat-not-the-token');
  });

  it('warns about a token that expires before a release could end, without failing the check', {
    timeout: 60_000,
  }, async () => {
    const w = await open({ tokenExpiresAt: '2026-12-10', ...STABLE_BRANCHES });
    const now = () => Date.parse('2026-11-30T12:00:00Z');
    const soon = await checkGitLabSetup(w.config, w.api, { now });
    expect(soon.problems).toEqual([
      {
        key: 'GITLAB_TOKEN',
        severity: 'warning',
        message: 'the token expires on 2026-12-10; renew it before a release needs it',
      },
    ]);
    const later = await checkGitLabSetup(w.config, w.api, { now: () => Date.parse('2026-10-01T00:00:00Z') });
    expect(later.problems).toEqual([]);
  });

  it('needs Developer for the actions and Maintainer for the hooks', { timeout: 60_000 }, async () => {
    const w = await open({ accessLevel: { 'acme/product': 30, 'acme/omnibus': 20 } });
    const report = await checkGitLabSetup(w.config, w.api, { webhookUrl: w.runtime.webhookUrl });
    expect(
      report.problems.filter((p) => p.severity === 'error').map((p) => `${p.key}: ${p.message}`),
    ).toEqual([
      "projects[0]: the token's user secrel-bot is Developer in acme/product; managing webhooks needs Maintainer (or add the hook by hand)",
      "projects[1]: the token's user secrel-bot is Reporter in acme/omnibus; secrel needs Developer to create issues, branches, merge requests, pipelines and notes",
    ]);
    expect(report.projects.map((p) => p.hook.action)).toEqual(['not checked', 'not checked']);
  });

  it('shows which branches the version pattern maps to which version and which protected ones it misses', {
    timeout: 60_000,
  }, async () => {
    const w = await open({
      protectedBranches: {
        'acme/product': ['main', '17-5-stable', '17-4-stable', 'release-candidate', '*-stable-ee'],
      },
      branches: { 'acme/product': ['17-3-stable-ee', 'feature-x', '16-11-stable'] },
    });
    const report = await checkGitLabSetup(w.config, w.api);
    expect(report.projects[0]?.branches).toEqual({
      mapped: [
        { branch: '17-5-stable', version: '17.5' },
        { branch: '17-4-stable', version: '17.4' },
        { branch: '17-3-stable-ee', version: '17.3' },
        { branch: '16-11-stable', version: '16.11' },
      ],
      missed: ['release-candidate'],
    });
    expect(report.problems.map((p) => `${p.key}: ${p.message}`)).toContain(
      'versionBranchPattern: protected branches of acme/product that map to no version: release-candidate',
    );
  });

  it('checks the security branch patches start from, and the other projects secrel calls', {
    timeout: 60_000,
  }, async () => {
    const w = await open(
      {
        accessLevel: { 'acme/product': 40, 'acme/omnibus': 40, 'acme/release-tools': 20, 'acme/infra': 20 },
        branches: { 'acme/product': ['security-main'] },
      },
      {
        otherProjects: [
          { id: 50, path: 'acme/release-tools', defaultBranch: 'main' },
          { id: 51, path: 'acme/infra', defaultBranch: 'main' },
        ],
      },
    );
    const config = setupConfig(w.gitlab.url, {
      projects: [
        { ...SETUP_PROJECTS[0], securityBranch: 'security-main' },
        { ...SETUP_PROJECTS[1], securityBranch: 'security-master' },
      ],
      // A Reporter may open the infrastructure issue; a pipeline needs Developer; 42 is checked above.
      infrastructureProject: 'acme/infra',
      pipelines: {
        'publish-code': { project: 'acme/release-tools', ref: 'main' },
        'build-packages': { project: 'acme/gone', ref: '{version}-stable' },
        'publish-docker': { project: 42, ref: 'main' },
      },
    });
    const report = await checkGitLabSetup(config, w.api);
    expect(
      report.problems.filter((p) => p.severity === 'error').map((p) => `${p.key}: ${p.message}`),
    ).toEqual([
      'projects[1].securityBranch: acme/omnibus has no branch "security-master"; create it or fix the name',
      "pipelines.build-packages.project: GitLab has no project acme/gone that secrel-bot can see; fix it or give the token's user access",
      "pipelines.publish-code.project: the token's user secrel-bot is Reporter in acme/release-tools; secrel needs Developer there",
    ]);
    expect(report.otherProjects?.map((p) => [p.key, p.found])).toEqual([
      ['infrastructureProject', true],
      ['pipelines.build-packages.project', false],
      ['pipelines.publish-code.project', true],
    ]);
  });
});
