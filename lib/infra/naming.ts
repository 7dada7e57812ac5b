import type { SecretKind } from './settings.js';

const SECRET_SLUGS: Readonly<Record<SecretKind, string>> = {
  webhookSecret: 'webhook-secret',
  signingKey: 'signing-key',
  gitlabToken: 'gitlab-token',
  hackeroneToken: 'hackerone-token',
  versionServerToken: 'version-server-token',
  slackWebhookUrl: 'slack-webhook-url',
};

/** The stack's name for a stage: one stack per stage, side by side in one account. */
export function stackName(stage: string): string {
  return `secrel-${stage}`;
}

/**
 * The state machine's fixed name. Fixed so the functions can know its ARN before it exists:
 * the machine invokes them, so taking the ARN from the machine itself would be a cycle.
 */
export function stateMachineName(stage: string): string {
  return `secrel-${stage}-security-release`;
}

/** Default Secrets Manager name of a secret, `secrel/<stage>/<kind>`. */
export function defaultSecretName(stage: string, kind: SecretKind): string {
  return `secrel/${stage}/${SECRET_SLUGS[kind]}`;
}
