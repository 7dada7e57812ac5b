import * as z from 'zod';

/** How the stack gets its secrets: it creates them, or it reads ones an operator made (by name). */
export const SECRET_MODES = ['create', 'import'] as const;

/** The secrets secrel uses on AWS; each lives in Secrets Manager under its own name. */
export const SECRET_KINDS = [
  'webhookSecret',
  'signingKey',
  'gitlabToken',
  'hackeroneToken',
  'versionServerToken',
  'slackWebhookUrl',
] as const;
/** One of {@link SECRET_KINDS}. */
export type SecretKind = (typeof SECRET_KINDS)[number];

// Context from the command line arrives as strings; cdk.json may hold real booleans and objects.
const contextBoolean = z.preprocess(
  (value) => (value === 'true' ? true : value === 'false' ? false : value),
  z.boolean(),
);
const contextObject = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (typeof value === 'string' ? JSON.parse(value) : value), schema);

/**
 * Deployment settings read from CDK context (`-c key=value` or `cdk.json`), validated at synth.
 * The secrel config itself (projects, roles, targets) is a separate file, see `deployment.ts`.
 */
export const infraSettingsSchema = z.object({
  /** Names every resource and decides what survives a `cdk destroy`: `prod` keeps the table, key and secrets. */
  stage: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,19}$/, 'stage must be lower-case letters, digits and dashes, at most 20')
    .default('dev'),
  /** Where alarms are e-mailed; without it the alarm topic has no subscriber until someone adds one. */
  alarmEmail: z.email().optional(),
  /** `create` makes the secrets (with generated values to replace); `import` uses existing ones by name. */
  secretMode: z.enum(SECRET_MODES).default('create'),
  /** Secret names to use instead of `secrel/<stage>/<kind>`. */
  secretNames: contextObject(z.partialRecord(z.enum(SECRET_KINDS), z.string().min(1))).default({}),
  /** Whether GitLab signs webhooks (Standard Webhooks); adds the signing key secret. */
  signedWebhooks: contextBoolean.default(false),
  /**
   * Whether notices also go to Slack: adds the Slack incoming webhook URL secret (a URL that lets
   * anyone post, so it is a secret, never a config value). The actions function reads it.
   */
  slackNotifications: contextBoolean.default(false),
  /** Steady webhook requests per second the HTTP API lets through; more get 429 before any Lambda runs. */
  ingressRateLimit: z.coerce.number().int().min(1).max(10_000).default(25),
  /** Short burst of webhook requests the HTTP API lets through. */
  ingressBurstLimit: z.coerce.number().int().min(1).max(5_000).default(50),
  /**
   * HackerOne's API identifier (the user name of its Basic auth, not a secret); the token lives in
   * Secrets Manager. Only read when the config has `hackerone`.
   */
  hackeroneApiIdentifier: z.string().min(1).optional(),
  /** Reserved concurrency for the webhook function; unset by default because small accounts cannot reserve. */
  webhookReservedConcurrency: z.coerce.number().int().min(1).max(1_000).optional(),
});

/** Validated deployment settings. */
export type InfraSettings = z.infer<typeof infraSettingsSchema>;

/** Parses deployment settings; throws a one-line error naming the first bad context key. */
export function parseInfraSettings(input: unknown): InfraSettings {
  let result: ReturnType<typeof infraSettingsSchema.safeParse>;
  try {
    result = infraSettingsSchema.safeParse(input);
  } catch (error) {
    // A context object given as a string that is not JSON fails inside preprocess.
    throw new Error(`invalid deployment context: ${(error as Error).message}`);
  }
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new Error(
      `invalid deployment context: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`,
    );
  }
  return result.data;
}
