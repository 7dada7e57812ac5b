import { SFNClient } from '@aws-sdk/client-sfn';
import { DateTime } from 'luxon';
import { type Env, loadAwsSettings } from '../lib/adapters/config/load.js';
import { createDocumentClient, DynamoReleaseStore } from '../lib/adapters/dynamo/index.js';
import { GitLabClient } from '../lib/adapters/gitlab/client.js';
import { HackerOneClient } from '../lib/adapters/hackerone/client.js';
import { createNotifier } from '../lib/adapters/notify/index.js';
import { readLambdaSecret } from '../lib/adapters/secrets/index.js';
import { StepFunctionsWorkflow } from '../lib/adapters/sfn/workflow.js';
import { HttpVersionServer } from '../lib/adapters/version-server/client.js';
import type { Logger } from '../lib/services/logger.js';
import { playbookOf, type RuntimeDeps } from '../lib/services/runtime-deps.js';

/**
 * Builds the actions and gate functions' dependencies from the environment set by `lib/infra`:
 * `TABLE_NAME`, `STATE_MACHINE_ARN`, `SECREL_CONFIG_JSON`, and secrets by ARN (GitLab token,
 * optionally the version server and HackerOne tokens). Built once per cold start.
 */
export async function runtimeDepsFromEnv(env: Env, logger: Logger): Promise<RuntimeDeps> {
  const { config, secrets } = await loadAwsSettings(env, readLambdaSecret);
  const tableName = env.TABLE_NAME;
  if (!tableName) throw new Error('TABLE_NAME is not set');
  if (!env.STATE_MACHINE_ARN) throw new Error('STATE_MACHINE_ARN is not set');
  if (!secrets.gitlabToken) throw new Error('no GitLab token: set GITLAB_TOKEN_SECRET_ARN');
  const optionalSecret = async (arnName: string): Promise<string | undefined> => {
    const arn = env[arnName];
    return arn ? (await readLambdaSecret(arn)).trim() : undefined;
  };
  const [versionToken, hackeroneToken] = await Promise.all([
    optionalSecret('VERSION_SERVER_TOKEN_SECRET_ARN'),
    optionalSecret('HACKERONE_TOKEN_SECRET_ARN'),
  ]);
  const hackeroneIdentifier = env.HACKERONE_API_IDENTIFIER;
  return {
    config,
    playbook: playbookOf(config),
    store: new DynamoReleaseStore({ client: createDocumentClient(), tableName }),
    gitlab: new GitLabClient({ host: config.gitlab.url, token: secrets.gitlabToken }),
    workflow: new StepFunctionsWorkflow({
      stateMachineArn: env.STATE_MACHINE_ARN,
      client: new SFNClient({}),
    }),
    clock: { now: () => DateTime.utc() },
    logger,
    notifier: createNotifier(config.slack),
    ...(config.versionServer && versionToken
      ? { versionServer: new HttpVersionServer({ baseUrl: config.versionServer.url, token: versionToken }) }
      : {}),
    ...(config.hackerone && hackeroneToken && hackeroneIdentifier
      ? {
          hackerone: new HackerOneClient({
            baseUrl: config.hackerone.url,
            apiIdentifier: hackeroneIdentifier,
            token: hackeroneToken,
          }),
        }
      : {}),
  };
}

/** Caches the dependencies per container; a failed build is not cached, so the next call tries again. */
export function lazyDeps(build: () => Promise<RuntimeDeps>): () => Promise<RuntimeDeps> {
  let deps: Promise<RuntimeDeps> | undefined;
  return () => {
    deps ??= build().catch((err: unknown) => {
      deps = undefined;
      throw err;
    });
    return deps;
  };
}
