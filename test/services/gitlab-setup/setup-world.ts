import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { GitLabSetupClient } from '../../../lib/adapters/gitlab/setup-client.js';
import { parseConfig, type SecrelConfig } from '../../../lib/core/config.js';
import { SECREL_HOOK_TRIGGERS } from '../../../lib/core/setup/index.js';
import { type FakeGitLab, startFakeGitLab } from '../../../lib/local/fakes/gitlab/fake-gitlab.js';
import type { FakeGitLabSetupOptions } from '../../../lib/local/fakes/gitlab/setup-routes.js';
import type { FakeProject } from '../../../lib/local/fakes/gitlab/state.js';
import { type LocalRuntime, startLocalRuntime } from '../../../lib/local/runtime.js';
import type { GitLabSetupApi } from '../../../lib/ports.js';

/**
 * A GitLab side to connect: the fake GitLab over HTTP (reached through gitbeaker) and a running
 * local secrel whose webhook endpoint authenticates the test deliveries for real.
 */

/** The webhook secret the local secrel accepts (a test value). */
export const SETUP_SECRET = 'connect-test-webhook-secret-3f9a';

/** Two projects, as a product with an omnibus repository would have. */
export const SETUP_PROJECTS = [
  { id: 42, path: 'acme/product', defaultBranch: 'main' },
  { id: 43, path: 'acme/omnibus', defaultBranch: 'master' },
] as const;

/** The people in `roles`, all known to the fake unless a test says otherwise. */
export const SETUP_USERS = ['sec-lead', 'release-manager', 'dev-one', 'dev-two'] as const;

/** A config for the two projects; `overrides` replace top-level keys. */
export function setupConfig(gitlabUrl: string, overrides: Record<string, unknown> = {}): SecrelConfig {
  return parseConfig({
    gitlab: { url: gitlabUrl },
    projects: SETUP_PROJECTS,
    roles: {
      'security lead': ['sec-lead'],
      'release managers': ['release-manager'],
      'dev team': ['dev-one', 'dev-two'],
    },
    ...overrides,
  });
}

/** A running local secrel and a fake GitLab. */
export interface SetupWorld {
  readonly gitlab: FakeGitLab;
  readonly runtime: LocalRuntime;
  readonly api: GitLabSetupApi;
  readonly config: SecrelConfig;
  close(): Promise<void>;
}

/** Starts the fake GitLab (with `setup` options) and local secrel on the shared DynamoDB Local. */
export async function startSetupWorld(
  setup: FakeGitLabSetupOptions = {},
  options: {
    users?: readonly string[];
    token?: string;
    otherProjects?: readonly FakeProject[];
    /** Top-level config keys replaced (see {@link setupConfig}). */
    configOverrides?: Record<string, unknown>;
  } = {},
): Promise<SetupWorld> {
  const gitlab = await startFakeGitLab({
    projects: [...SETUP_PROJECTS, ...(options.otherProjects ?? [])],
    users: options.users ?? SETUP_USERS,
    setup,
  });
  const dataDir = mkdtempSync(join(tmpdir(), 'secrel-connect-'));
  const config = setupConfig(gitlab.url, options.configOverrides ?? {});
  let runtime: LocalRuntime;
  try {
    runtime = await startLocalRuntime({
      config,
      dataDir,
      webhookSecrets: [SETUP_SECRET],
      gitlabToken: gitlab.token,
      dynamoEndpoint: inject('dynamoEndpoint'),
      tableName: `connect-${Date.now()}-${Math.floor(Math.random() * 1e6)}`,
      resume: false,
    });
  } catch (error) {
    await gitlab.close();
    throw error;
  }
  const api: GitLabSetupApi = new GitLabSetupClient({
    host: gitlab.url,
    token: options.token ?? gitlab.token,
  });
  return {
    gitlab,
    runtime,
    api,
    config,
    close: async () => {
      await runtime.stop();
      await gitlab.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Adds secrel's hook to every project as a person would have, complete and with the right secret. */
export function seedCompleteHooks(world: SetupWorld, secret = SETUP_SECRET): void {
  for (const project of SETUP_PROJECTS) {
    world.gitlab.setup.seedHook({
      project: project.id,
      url: world.runtime.webhookUrl,
      token: secret,
      triggers: [...SECREL_HOOK_TRIGGERS],
    });
  }
}
