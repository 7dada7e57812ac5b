import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { SECREL_HOOK_TRIGGERS } from '../../lib/core/setup/index.js';
import { freePort } from '../../lib/local/dynamo-local.js';
import { type FakeGitLab, startFakeGitLab } from '../../lib/local/fakes/gitlab/fake-gitlab.js';
import type { FakeGitLabSetupOptions } from '../../lib/local/fakes/gitlab/setup-routes.js';
import { type LocalRuntime, startLocalRuntime } from '../../lib/local/runtime.js';
import {
  SETUP_PROJECTS,
  SETUP_SECRET,
  SETUP_USERS,
  setupConfig,
} from '../services/gitlab-setup/setup-world.js';
import { runSecrel } from '../support/processes.js';

/**
 * `secrel connect` as a person runs it: a child process against the fake GitLab over HTTP, with
 * a running local secrel on $PORT that receives and authenticates GitLab's test deliveries.
 */

let dir: string;
let runtime: LocalRuntime;
let port: number;
const fakes: FakeGitLab[] = [];

/** Stable branches in both projects, so the checks below have nothing to warn about. */
const BRANCHES: FakeGitLabSetupOptions = {
  protectedBranches: {
    'acme/product': ['main', '17-5-stable', '17-4-stable'],
    'acme/omnibus': ['master', '17-5-stable'],
  },
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'secrel-connect-cli-'));
  port = await freePort();
  runtime = await startLocalRuntime({
    // The runtime's own GitLab is never called here: connect talks to GitLab itself.
    config: setupConfig('http://127.0.0.1:9'),
    dataDir: join(dir, 'data'),
    webhookSecrets: [SETUP_SECRET],
    dynamoEndpoint: inject('dynamoEndpoint'),
    tableName: `connect-cli-${Date.now()}`,
    resume: false,
    port,
  });
}, 60_000);

afterAll(async () => {
  await runtime?.stop();
  for (const fake of fakes) await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

async function fakeGitLab(
  setup: FakeGitLabSetupOptions = BRANCHES,
  users: readonly string[] = SETUP_USERS,
): Promise<FakeGitLab> {
  const gitlab = await startFakeGitLab({ projects: SETUP_PROJECTS, users, setup });
  fakes.push(gitlab);
  return gitlab;
}

/** Runs `secrel connect <args>` with a config for `gitlab` (top-level keys replaced by `overrides`). */
async function connect(gitlab: FakeGitLab, args: readonly string[], overrides: Record<string, unknown> = {}) {
  const configFile = join(dir, `config-${Date.now()}-${Math.random().toString(36).slice(2)}.json`);
  const { gitlab: gitlabUrl, ...config } = setupConfig(gitlab.url, overrides);
  writeFileSync(configFile, JSON.stringify({ ...config, gitlab: gitlabUrl }));
  return runSecrel(['connect', ...args], {
    SECREL_CONFIG: configFile,
    GITLAB_TOKEN: gitlab.token,
    SECREL_WEBHOOK_SECRET: SETUP_SECRET,
    SECREL_DATA_DIR: join(dir, 'data'),
    PORT: String(port),
  });
}

/** Adds secrel's complete hook to each project, as a previous `secrel connect` would have. */
function seedHooks(gitlab: FakeGitLab): void {
  for (const project of SETUP_PROJECTS) {
    gitlab.setup.seedHook({
      project: project.id,
      url: runtime.webhookUrl,
      token: SETUP_SECRET,
      triggers: [...SECREL_HOOK_TRIGGERS],
    });
  }
}

const problemLines = (stderr: string): string[] =>
  stderr.split('\n').filter((l) => /^(error|warning) /.test(l));

describe('secrel connect', () => {
  it('connects the running local secrel: one hook per project, test deliveries received, then nothing to change', {
    timeout: 120_000,
  }, async () => {
    const gitlab = await fakeGitLab();
    const first = await connect(gitlab, []);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`GitLab ${gitlab.url} as secrel-bot (scopes api)`);
    expect(first.stdout).toContain('users in roles: 4/4 found');
    expect(first.stdout).toMatch(
      /acme\/product \(projects\[0\]\)\s+created\s+received\s+17-5-stable -> 17\.5/,
    );
    expect(first.stdout).toMatch(
      /acme\/omnibus \(projects\[1\]\)\s+created\s+received\s+17-5-stable -> 17\.5/,
    );
    expect(first.stdout).toContain('17-4-stable -> 17.4');
    expect(first.stdout).toContain('GitLab is connected.');
    // Not a terminal: no colour codes.
    expect(first.out).not.toContain('\u001b[');
    expect(first.out).not.toContain(SETUP_SECRET);
    expect(gitlab.setup.hooks.map((h) => [h.projectId, h.url])).toEqual([
      [42, runtime.webhookUrl],
      [43, runtime.webhookUrl],
    ]);
    expect(gitlab.setup.testDeliveries.map((d) => d.status)).toEqual([202, 202]);

    const hooksBefore = structuredClone(gitlab.setup.hooks);
    const second = await connect(gitlab, []);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/acme\/product \(projects\[0\]\)\s+unchanged\s+received/);
    expect(second.stdout).toMatch(/acme\/omnibus \(projects\[1\]\)\s+unchanged\s+received/);
    expect(gitlab.setup.hooks).toEqual(hooksBefore);

    const check = await connect(gitlab, ['--check']);
    expect(check.code).toBe(0);
    expect(check.stdout).toContain('All checks hold.');

    const json = await connect(gitlab, ['--check', '--json']);
    expect(json.code).toBe(0);
    const parsed = JSON.parse(json.stdout) as {
      ok: boolean;
      mode: string;
      projects: { hook: { action: string }; test: { received: boolean } }[];
    };
    expect(parsed.ok).toBe(true);
    expect(parsed.mode).toBe('check');
    expect(parsed.projects.map((p) => [p.hook.action, p.test.received])).toEqual([
      ['unchanged', true],
      ['unchanged', true],
    ]);
    expect(json.out).not.toContain(SETUP_SECRET);
  });

  it('--check repairs nothing: a hook missing triggers is one problem and exit 1', {
    timeout: 60_000,
  }, async () => {
    const gitlab = await fakeGitLab();
    seedHooks(gitlab);
    const hook = gitlab.setup.hooks[1];
    if (hook) hook.triggers.confidential_note_events = false;
    const check = await connect(gitlab, ['--check']);
    expect(check.code).toBe(1);
    expect(problemLines(check.stderr)).toEqual([
      "error projects[1]: secrel's webhook in acme/omnibus lacks Confidential comments; run secrel connect",
    ]);
    expect(hook?.triggers.confidential_note_events).toBe(false);

    const fixed = await connect(gitlab, []);
    expect(fixed.code).toBe(0);
    expect(fixed.stdout).toMatch(/acme\/omnibus \(projects\[1\]\)\s+updated \(\+1 triggers\)\s+received/);
    expect(hook?.triggers.confidential_note_events).toBe(true);
    expect(gitlab.setup.hooks).toHaveLength(2);
  });

  it('--check gives one line and exit 1 for a username GitLab does not know', {
    timeout: 60_000,
  }, async () => {
    const gitlab = await fakeGitLab(BRANCHES, ['sec-lead', 'release-manager', 'dev-one']);
    seedHooks(gitlab);
    const check = await connect(gitlab, ['--check']);
    expect(check.code).toBe(1);
    expect(problemLines(check.stderr)).toEqual([
      'error roles.dev team: GitLab has no user "dev-two"; fix the username or remove it from the role',
    ]);
    expect(check.stdout).toContain('users in roles: 3/4 found');
  });

  it('--check gives one line and exit 1 for a project GitLab does not have', {
    timeout: 60_000,
  }, async () => {
    const gitlab = await fakeGitLab();
    seedHooks(gitlab);
    const check = await connect(gitlab, ['--check'], {
      projects: [SETUP_PROJECTS[0], { id: 77, path: 'acme/typo', defaultBranch: 'main' }],
    });
    expect(check.code).toBe(1);
    expect(problemLines(check.stderr)).toEqual([
      "error projects[1].id: GitLab has no project 77 that secrel-bot can see; fix the id or give the token's user access",
    ]);
    expect(check.stdout).toMatch(/acme\/typo \(projects\[1\]\)\s+project not found/);
  });

  it('--check gives one line and exit 1 for a token without api scope', { timeout: 60_000 }, async () => {
    const gitlab = await fakeGitLab({ ...BRANCHES, tokenScopes: ['read_api'] });
    seedHooks(gitlab);
    const check = await connect(gitlab, ['--check']);
    expect(check.code).toBe(1);
    expect(problemLines(check.stderr)).toEqual([
      'error GITLAB_TOKEN: the token has scopes read_api but secrel needs api; create a token with api scope',
    ]);
    expect(check.out).not.toContain(gitlab.token);
  });

  it('without --url and no secrel on $PORT, says how to point it somewhere (exit 2)', {
    timeout: 60_000,
  }, async () => {
    const gitlab = await fakeGitLab();
    const configFile = join(dir, 'config-no-server.json');
    const { gitlab: gitlabUrl, ...config } = setupConfig(gitlab.url);
    writeFileSync(configFile, JSON.stringify({ ...config, gitlab: gitlabUrl }));
    const idle = await freePort();
    const result = await runSecrel(['connect', '--check'], {
      SECREL_CONFIG: configFile,
      GITLAB_TOKEN: gitlab.token,
      PORT: String(idle),
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `secrel connect: no running secrel at http://127.0.0.1:${idle} (start secrel serve, set PORT, or pass --url with the URL GitLab can reach)\n`,
    );
    expect(gitlab.calls).toEqual([]);
  });

  it('prints its options with --help, and refuses a --url that is not http(s) with exit 2', {
    timeout: 60_000,
  }, async () => {
    const help = await runSecrel(['connect', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: secrel connect \[options\]/);
    expect(help.stdout).toContain('--check');
    const gitlab = await fakeGitLab();
    const bad = await connect(gitlab, ['--check', '--url', 'ftp://example.com/hook']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('secrel connect: --url: "ftp://example.com/hook" is not an http(s) URL\n');
    expect(gitlab.calls).toEqual([]);
  });

  it("--secret-arn reads the secret with the caller's AWS credentials, and says so in one line when there are none", {
    timeout: 60_000,
  }, async () => {
    const gitlab = await fakeGitLab();
    const configFile = join(dir, 'config-aws.json');
    const { gitlab: gitlabUrl, ...config } = setupConfig(gitlab.url);
    writeFileSync(configFile, JSON.stringify({ ...config, gitlab: gitlabUrl }));
    const arn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:secrel/prod/webhook-secret-AbCdEf';
    // No AWS here: no credentials anywhere, and no instance metadata to ask.
    const result = await runSecrel(['connect', '--url', runtime.webhookUrl, '--secret-arn', arn], {
      SECREL_CONFIG: configFile,
      GITLAB_TOKEN: gitlab.token,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: '',
      AWS_SECRET_ACCESS_KEY: '',
      AWS_SESSION_TOKEN: '',
      AWS_PROFILE: '',
      AWS_CONFIG_FILE: join(dir, 'no-aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-aws-credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_CONTAINER_CREDENTIALS_FULL_URI: '',
      AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '',
      AWS_WEB_IDENTITY_TOKEN_FILE: '',
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `secrel: --secret-arn: cannot read secret ${arn}: CredentialsProviderError; check your AWS credentials and region\n`,
    );
    // Nothing was changed in GitLab without the secret.
    expect(gitlab.setup.hooks).toEqual([]);
  });
});
