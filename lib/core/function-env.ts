import * as z from 'zod';

/**
 * The environment of secrel's three Lambda functions: one schema per function, used by
 * `lib/infra` to set the variables and by `lambdas/` to read them, so a name cannot drift
 * between the two. Values are never secrets: secrets are passed by ARN.
 */

/** The three functions, named like their entry points in `lambdas/`. */
export const FUNCTION_NAMES = ['webhook', 'gate', 'actions'] as const;
/** One of {@link FUNCTION_NAMES}. */
export type FunctionName = (typeof FUNCTION_NAMES)[number];

/** The Powertools service name and metric namespace of every function. */
export const SERVICE_NAME = 'secrel';

const value = z.string().min(1);

/** Variables the stack sets identically on every function (Powertools and Node.js read the last three). */
const common = {
  /** The release table. */
  TABLE_NAME: value,
  /** The release state machine; every function answers or starts its executions. */
  STATE_MACHINE_ARN: value,
  /** The validated secrel config, as JSON; it holds no secret. */
  SECREL_CONFIG_JSON: value,
  POWERTOOLS_SERVICE_NAME: z.literal(SERVICE_NAME),
  POWERTOOLS_METRICS_NAMESPACE: z.literal(SERVICE_NAME),
  NODE_OPTIONS: z.literal('--enable-source-maps'),
};

/** The values of the fixed variables in {@link common}. */
export const RUNTIME_ENV = {
  POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
  POWERTOOLS_METRICS_NAMESPACE: SERVICE_NAME,
  NODE_OPTIONS: '--enable-source-maps',
} as const;

/** The variables through which a function learns each secret's ARN. */
export const SECRET_ARN_VARIABLES = {
  webhookSecret: 'SECREL_WEBHOOK_SECRET_ARN',
  signingKey: 'SECREL_SIGNING_KEY_ARN',
  gitlabToken: 'GITLAB_TOKEN_SECRET_ARN',
  hackeroneToken: 'HACKERONE_TOKEN_SECRET_ARN',
  versionServerToken: 'VERSION_SERVER_TOKEN_SECRET_ARN',
  slackWebhookUrl: 'SLACK_WEBHOOK_URL_SECRET_ARN',
} as const;

/** The webhook function: ingress, which hands replies to the actions function. */
export const webhookEnvSchema = z.object({
  ...common,
  /** The actions function, invoked asynchronously to post replies and notices. */
  ACTIONS_FUNCTION_NAME: value,
  [SECRET_ARN_VARIABLES.webhookSecret]: value,
  /** Only when GitLab signs its webhooks. */
  [SECRET_ARN_VARIABLES.signingKey]: value.optional(),
});

/** The gate function: stores task tokens; it never calls GitLab, so it gets no token. */
export const gateEnvSchema = z.object(common);

/** The actions function: GitLab, and HackerOne, the version server and Slack when configured. */
export const actionsEnvSchema = z.object({
  ...common,
  [SECRET_ARN_VARIABLES.gitlabToken]: value,
  [SECRET_ARN_VARIABLES.hackeroneToken]: value.optional(),
  [SECRET_ARN_VARIABLES.versionServerToken]: value.optional(),
  /** Only when notices also go to Slack (`slackNotifications`). */
  [SECRET_ARN_VARIABLES.slackWebhookUrl]: value.optional(),
  /** HackerOne's API identifier (the user name of its Basic auth, not a secret). */
  HACKERONE_API_IDENTIFIER: value.optional(),
});

/** Each function's schema. */
export const FUNCTION_ENV_SCHEMAS = {
  webhook: webhookEnvSchema,
  gate: gateEnvSchema,
  actions: actionsEnvSchema,
} as const;

/** The environment of one function, as it reads it. */
export type FunctionEnv<F extends FunctionName> = z.infer<(typeof FUNCTION_ENV_SCHEMAS)[F]>;

/** Names of every variable one function may be given. */
export function functionEnvNames(name: FunctionName): readonly string[] {
  return Object.keys(FUNCTION_ENV_SCHEMAS[name].shape).sort();
}

/** Names one function must be given. */
export function requiredFunctionEnvNames(name: FunctionName): readonly string[] {
  const shape: Record<string, z.ZodType> = FUNCTION_ENV_SCHEMAS[name].shape;
  return Object.entries(shape)
    .filter(([, schema]) => !schema.safeParse(undefined).success)
    .map(([key]) => key)
    .sort();
}

/**
 * Reads one function's environment; a missing or wrong variable fails at start with one line
 * naming it (never its value).
 */
export function parseFunctionEnv<F extends FunctionName>(
  name: F,
  env: Readonly<Record<string, string | undefined>>,
): FunctionEnv<F> {
  const result = FUNCTION_ENV_SCHEMAS[name].safeParse(env);
  if (!result.success) {
    const issue = result.error.issues[0];
    const key = issue?.path.join('.') || '(root)';
    throw new Error(
      `the ${name} function's environment is wrong: ${key} ${env[key] ? 'is invalid' : 'is not set'}`,
    );
  }
  return result.data as FunctionEnv<F>;
}
