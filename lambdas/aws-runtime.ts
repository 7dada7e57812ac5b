import { SFNClient } from '@aws-sdk/client-sfn';
import { DateTime } from 'luxon';
import { type Env, loadAwsSettings } from '../lib/adapters/config/load.js';
import { createDocumentClient, DynamoReleaseStore } from '../lib/adapters/dynamo/index.js';
import { HackerOneClient } from '../lib/adapters/hackerone/client.js';
import { createNotifier, isSlackWebhookUrl } from '../lib/adapters/notify/index.js';
import { readLambdaSecret } from '../lib/adapters/secrets/index.js';
import { StepFunctionsWorkflow } from '../lib/adapters/sfn/step-functions-workflow.js';
import { HttpVersionServer } from '../lib/adapters/version-server/client.js';
import { type FunctionName, parseFunctionEnv, SECRET_ARN_VARIABLES } from '../lib/core/function-env.js';
import { ActionFailedError } from '../lib/core/workflow-steps.js';
import type { EffectDispatcher, GitLabApi, GitLabSetupApi, Logger, Metrics } from '../lib/ports.js';

import { type Adapters, compose, type Settings } from '../lib/services/compose.js';
import type { RuntimeDeps } from '../lib/services/types.js';
import type { Observability } from './observability.js';

/**
 * What a function calls besides the table and the state machine. The gate function only stores
 * task tokens and opens or fails gates, so it gets no GitLab token (least privilege, see
 * `lib/infra/actions-function.ts`); the actions function talks to GitLab and, when configured, to HackerOne
 * and the version server.
 */
export interface RuntimeNeeds {
  /**
   * Builds the GitLab client from the host and token; `false` for a function without GitLab. A
   * factory rather than a flag so the gate's bundle leaves the GitLab client (gitbeaker) out.
   */
  readonly gitlab: ((host: string, token: string) => GitLabApi) | false;
  /** Builds the GitLab reads `/secrel start`'s setup check makes; absent: the check is skipped. */
  readonly gitlabSetup?: (host: string, token: string) => GitLabSetupApi;
  /**
   * Builds ingress's effect dispatcher (the webhook function only); a factory so the other
   * functions' bundles leave the Lambda client out.
   */
  readonly effects?: (env: Env) => EffectDispatcher;
}

/**
 * Stands in for GitLab in a function that is given no GitLab token. Every call fails for good:
 * reaching one means a step ran in the wrong function, which retrying cannot fix.
 */
export function gitlabWithoutToken(functionName: string): GitLabApi {
  const refuse = async (): Promise<never> => {
    throw new ActionFailedError(`the ${functionName} function has no GitLab token`);
  };
  return {
    createIssue: refuse,
    getIssue: refuse,
    editIssue: refuse,
    createIssueNote: refuse,
    createMergeRequestNote: refuse,
    linkIssues: refuse,
    createBranch: refuse,
    createMergeRequest: refuse,
    createPipeline: refuse,
    getPipeline: refuse,
    getMergeRequest: refuse,
    findPipeline: refuse,
  };
}

/** A function's settings and adapters, read from its environment: what it passes to `compose`. */
export interface AwsParts {
  readonly settings: Settings;
  readonly adapters: Adapters;
}

/**
 * Reads a function's settings and builds its AWS adapters from the environment set by
 * `lib/infra`: `TABLE_NAME`, `STATE_MACHINE_ARN` (every function answers or starts executions),
 * `SECREL_CONFIG_JSON`, and secrets by ARN (the webhook's secrets, the GitLab token when
 * `needs.gitlab`, optionally the version server and HackerOne tokens, with
 * `HACKERONE_API_IDENTIFIER`, and the Slack webhook URL). `given` replaces adapters (tests).
 * Built once per cold start.
 */
export async function awsParts(
  env: Env,
  logger: Logger,
  needs: RuntimeNeeds,
  given: Partial<Adapters> = {},
): Promise<AwsParts> {
  const { config, secrets } = await loadAwsSettings(env, readLambdaSecret);
  const tableName = env.TABLE_NAME;
  if (!tableName) throw new Error('TABLE_NAME is not set');
  if (!given.workflow && !env.STATE_MACHINE_ARN) throw new Error('STATE_MACHINE_ARN is not set');
  if (needs.gitlab && !secrets.gitlabToken) throw new Error('no GitLab token: set GITLAB_TOKEN_SECRET_ARN');
  const effects = given.effects ?? (needs.effects ? dispatcherOf(needs.effects(env)) : undefined);
  const optionalSecret = async (arnName: string): Promise<string | undefined> => {
    const arn = env[arnName];
    return arn ? (await readLambdaSecret(arn)).trim() : undefined;
  };
  const [versionToken, hackeroneToken, slackWebhookUrl] = await Promise.all([
    optionalSecret(SECRET_ARN_VARIABLES.versionServerToken),
    optionalSecret(SECRET_ARN_VARIABLES.hackeroneToken),
    optionalSecret(SECRET_ARN_VARIABLES.slackWebhookUrl),
  ]);
  if (slackWebhookUrl !== undefined && !isSlackWebhookUrl(slackWebhookUrl)) {
    // Never the value: the webhook URL is a secret. A created secret holds a random string at first.
    logger.warn('the Slack webhook secret is not a URL yet: notices go to GitLab only');
  }
  const hackeroneIdentifier = env.HACKERONE_API_IDENTIFIER;
  if (needs.gitlab && config.hackerone && !(hackeroneToken && hackeroneIdentifier)) {
    // Names only: which setting is missing, never a value.
    logger.warn('HackerOne is configured but its token or API identifier is not set: follow-ups skipped', {
      token: hackeroneToken !== undefined,
      identifier: hackeroneIdentifier !== undefined,
    });
  }
  const adapters: Adapters = {
    store: new DynamoReleaseStore({ client: createDocumentClient(), tableName }),
    gitlab:
      needs.gitlab && secrets.gitlabToken
        ? needs.gitlab(config.gitlab.url, secrets.gitlabToken)
        : gitlabWithoutToken('gate'),
    workflow:
      given.workflow ??
      new StepFunctionsWorkflow({ stateMachineArn: env.STATE_MACHINE_ARN ?? '', client: new SFNClient({}) }),
    clock: { now: () => DateTime.utc() },
    logger,
    ...(needs.gitlabSetup && secrets.gitlabToken
      ? { gitlabSetup: needs.gitlabSetup(config.gitlab.url, secrets.gitlabToken) }
      : {}),
    // From Secrets Manager, never from the config file: the URL lets anyone post to the channel.
    notifier: createNotifier(
      isSlackWebhookUrl(slackWebhookUrl) ? { webhookUrl: slackWebhookUrl } : undefined,
    ),
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
    ...(effects ? { effects } : {}),
    ...(given.metrics ? { metrics: given.metrics } : {}),
  };
  return {
    settings: { config, auth: { secrets: secrets.webhookSecrets, signingKeys: secrets.signingKeys } },
    adapters,
  };
}

/** The same dispatcher for whatever deps: on AWS the effects are performed in another function. */
function dispatcherOf(dispatcher: EffectDispatcher): Adapters['effects'] {
  return () => dispatcher;
}

/** The actions and gate functions' dependencies: {@link awsParts} composed. */
export async function runtimeDepsFromEnv(
  env: Env,
  logger: Logger,
  needs: RuntimeNeeds,
  metrics?: Metrics,
): Promise<RuntimeDeps> {
  const { settings, adapters } = await awsParts(env, logger, needs, metrics ? { metrics } : {});
  return compose(settings, adapters).runtime;
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

/**
 * A deployed step function's dependencies: read from its environment at the first call,
 * logged and counted through its observability, cached per container.
 */
export function deployedDeps(
  name: Exclude<FunctionName, 'webhook'>,
  needs: RuntimeNeeds,
  observability: Pick<Observability, 'logger' | 'metrics'>,
): () => Promise<RuntimeDeps> {
  return lazyDeps(() =>
    runtimeDepsFromEnv(
      parseFunctionEnv(name, process.env),
      observability.logger,
      needs,
      observability.metrics,
    ),
  );
}
