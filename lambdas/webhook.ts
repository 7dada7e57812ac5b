import { LambdaClient } from '@aws-sdk/client-lambda';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { DateTime } from 'luxon';
import * as z from 'zod';
import { type Env, loadAwsSettings } from '../lib/adapters/config/load.js';
import { createDocumentClient, DynamoReleaseStore } from '../lib/adapters/dynamo/index.js';
import { deliveryKey } from '../lib/adapters/gitlab/webhook-delivery.js';
import { AsyncInvokeEffectDispatcher } from '../lib/adapters/lambda/index.js';
import { readLambdaSecret } from '../lib/adapters/secrets/index.js';
import { StepFunctionsWorkflow } from '../lib/adapters/sfn/step-functions-workflow.js';
import { parseFunctionEnv } from '../lib/core/function-env.js';
import type { EffectDispatcher } from '../lib/services/effects.js';
import { createLogger } from '../lib/services/logger.js';
import { countingWorkflow, deliveryDimensions } from '../lib/services/metrics.js';
import type { WebhookDeps } from '../lib/services/types.js';
import { handleWebhook } from '../lib/services/webhook.js';
import { createObservability, type Observability } from './observability.js';

/**
 * GitLab's webhooks on AWS: an HTTP API (payload v2, same shape as a Function URL event) in front
 * of this function. Wiring only: decode the event, call ingress, map the answer.
 */

/** The parts of an HTTP API v2 / Function URL event ingress reads. */
const httpEventSchema = z.object({
  headers: z.record(z.string(), z.string().optional()).default({}),
  body: z.string().optional(),
  isBase64Encoded: z.boolean().default(false),
});

/**
 * Replies to `/secrel` commands and notices go to the actions function with an asynchronous
 * Invoke, so ingress answers GitLab without waiting on a GitLab API call.
 */
function actionsDispatcher(env: Env): EffectDispatcher {
  if (!env.ACTIONS_FUNCTION_NAME) throw new Error('ACTIONS_FUNCTION_NAME is not set');
  return new AsyncInvokeEffectDispatcher({
    functionName: env.ACTIONS_FUNCTION_NAME,
    client: new LambdaClient({}),
  });
}

function stepFunctions(env: Env): StepFunctionsWorkflow {
  if (!env.STATE_MACHINE_ARN) throw new Error('STATE_MACHINE_ARN is not set');
  return new StepFunctionsWorkflow({ stateMachineArn: env.STATE_MACHINE_ARN, client: new SFNClient({}) });
}

/**
 * Builds ingress's dependencies from the function's environment (names set by `lib/infra`):
 * `TABLE_NAME`, `STATE_MACHINE_ARN`, `ACTIONS_FUNCTION_NAME`, `SECREL_CONFIG_JSON`, secrets by ARN.
 */
export async function depsFromEnv(env: Env, overrides: Partial<WebhookDeps> = {}): Promise<WebhookDeps> {
  const logger = overrides.logger ?? createLogger('secrel-webhook');
  const { config, secrets } = await loadAwsSettings(env, readLambdaSecret);
  const tableName = env.TABLE_NAME;
  if (!tableName) throw new Error('TABLE_NAME is not set');
  return {
    config,
    auth: { secrets: secrets.webhookSecrets, signingKeys: secrets.signingKeys },
    store: new DynamoReleaseStore({ client: createDocumentClient(), tableName }),
    workflow: overrides.workflow ?? stepFunctions(env),
    effects: overrides.effects ?? actionsDispatcher(env),
    clock: { now: () => DateTime.utc() },
    logger,
    ...overrides,
  };
}

/**
 * Lambda's handler for webhook events, with its dependencies built once per cold start. With
 * `observability`, each delivery is logged under its delivery key and counted by outcome.
 */
export function createWebhookHandler(
  buildDeps: () => Promise<WebhookDeps>,
  observability?: Observability,
): (event: unknown, context?: Context) => Promise<APIGatewayProxyStructuredResultV2> {
  let deps: Promise<WebhookDeps> | undefined;
  const answer = async (ready: WebhookDeps, headers: Record<string, string | undefined>, raw: Buffer) => {
    const reply = await handleWebhook(ready, { headers, body: raw });
    ready.logger.info('delivery answered', { status: reply.status, outcome: reply.body.status });
    observability?.metrics.count('Deliveries', 1, deliveryDimensions(reply));
    return {
      statusCode: reply.status,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(reply.body),
    };
  };
  return async (event, context) => {
    // A failed start (secret unreadable) is not cached, so the next delivery tries again.
    deps ??= buildDeps().catch((err: unknown) => {
      deps = undefined;
      throw err;
    });
    const ready = await deps;
    const parsed = httpEventSchema.safeParse(event);
    if (!parsed.success)
      return { statusCode: 400, body: '{"status":"rejected","reason":"not an HTTP event"}' };
    const { headers, body, isBase64Encoded } = parsed.data;
    const lowerCase: Record<string, string | undefined> = {};
    for (const [name, value] of Object.entries(headers)) lowerCase[name.toLowerCase()] = value;
    const raw = Buffer.from(body ?? '', isBase64Encoded ? 'base64' : 'utf8');
    if (!observability) return answer(ready, lowerCase, raw);
    return observability.invoke(context, { deliveryKey: deliveryKey(lowerCase, raw) }, () =>
      answer(ready, lowerCase, raw),
    );
  };
}

const observability = createObservability('webhook');

/** The deployed entry point. */
export const handler = createWebhookHandler(async () => {
  const env = parseFunctionEnv('webhook', process.env);
  const deps = await depsFromEnv(env, { logger: observability.logger });
  return { ...deps, workflow: countingWorkflow(deps.workflow, observability.metrics) };
}, observability);
