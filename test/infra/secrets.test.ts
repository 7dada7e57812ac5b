import { describe, expect, it } from 'vitest';
import { SECRET_ENV_VARS } from '../../lib/infra/secrets.js';
import { minimalConfig } from '../support/configs.js';
import { resourcesOfType, statementsOfRole, synthesizeOnce } from './synth.js';

function secretNames(context: Record<string, unknown>, config = minimalConfig()): string[] {
  const { template } = synthesizeOnce(context, config);
  return Object.values(resourcesOfType(template, 'AWS::SecretsManager::Secret'))
    .map((secret) => String(secret.Properties?.Name))
    .sort();
}

function envOf(prefix: string, context: Record<string, unknown> = {}, config = minimalConfig()) {
  const { template } = synthesizeOnce(context, config);
  const [, fn] =
    Object.entries(resourcesOfType(template, 'AWS::Lambda::Function')).find(([id]) =>
      id.startsWith(prefix),
    ) ?? [];
  const environment = fn?.Properties?.Environment as { Variables: Record<string, unknown> } | undefined;
  if (!environment) throw new Error(`no function ${prefix}`);
  return environment.Variables;
}

describe('secrets in Secrets Manager', () => {
  it('creates the webhook secret and GitLab token for every deployment, named by stage', () => {
    expect(secretNames({ stage: 'staging' })).toEqual([
      'secrel/staging/gitlab-token',
      'secrel/staging/webhook-secret',
    ]);
  });

  it('adds the signing key, HackerOne and version server tokens only when the deployment uses them', () => {
    const config = { ...minimalConfig(), hackerone: { url: 'https://api.hackerone.com/v1', reports: {} } };
    expect(secretNames({ signedWebhooks: true }, config)).toEqual([
      'secrel/dev/gitlab-token',
      'secrel/dev/hackerone-token',
      'secrel/dev/signing-key',
      'secrel/dev/webhook-secret',
    ]);
  });

  it('adds the Slack webhook URL secret only with slackNotifications, readable by the actions function alone', () => {
    expect(secretNames({})).not.toContain('secrel/dev/slack-webhook-url');
    expect(envOf('FunctionsActions').SLACK_WEBHOOK_URL_SECRET_ARN).toBeUndefined();
    const context = { slackNotifications: 'true' };
    expect(secretNames(context)).toContain('secrel/dev/slack-webhook-url');
    expect(envOf('FunctionsActions', context).SLACK_WEBHOOK_URL_SECRET_ARN).toBeDefined();
    expect(envOf('IngressWebhook', context).SLACK_WEBHOOK_URL_SECRET_ARN).toBeUndefined();
    expect(envOf('FunctionsGate', context).SLACK_WEBHOOK_URL_SECRET_ARN).toBeUndefined();
    const { template } = synthesizeOnce(context, minimalConfig());
    const readers = ['FunctionsActionsRole', 'IngressWebhookRole', 'FunctionsGateRole'].filter((role) =>
      statementsOfRole(template, role)
        .flatMap((statement) => [statement.Resource].flat())
        .some((resource) => JSON.stringify(resource).includes('slackWebhookUrl')),
    );
    expect(readers).toEqual(['FunctionsActionsRole']);
  });

  it('generates values instead of writing any into the template', () => {
    const { template } = synthesizeOnce({}, minimalConfig());
    for (const secret of Object.values(resourcesOfType(template, 'AWS::SecretsManager::Secret'))) {
      expect(secret.Properties?.SecretString).toBeUndefined();
      expect(secret.Properties?.GenerateSecretString).toBeDefined();
    }
  });

  it('in import mode creates no secret and points the handlers at the given names', () => {
    const context = { secretMode: 'import', secretNames: { gitlabToken: 'ops/gitlab-bot' } };
    expect(secretNames(context)).toEqual([]);
    const env = envOf('FunctionsActions', context);
    expect(JSON.stringify(env.GITLAB_TOKEN_SECRET_ARN)).toContain(':secret:ops/gitlab-bot');
  });

  it('lets the webhook read only the webhook secret and signing key: replies are posted by the actions function', () => {
    const context = { signedWebhooks: true };
    const env = envOf('IngressWebhook', context);
    const secretVars = Object.keys(env).filter((name) => Object.values(SECRET_ENV_VARS).includes(name));
    expect(secretVars.sort()).toEqual(['SECREL_SIGNING_KEY_ARN', 'SECREL_WEBHOOK_SECRET_ARN']);
    const { template } = synthesizeOnce(context, minimalConfig());
    const readable = statementsOfRole(template, 'IngressWebhookRole')
      .filter((statement) => [statement.Action].flat().includes('secretsmanager:GetSecretValue'))
      .flatMap((statement) => [statement.Resource].flat())
      .map((resource) => (resource as { Ref?: string }).Ref ?? '');
    expect(readable).toHaveLength(2);
    expect(readable.every((ref) => /webhookSecret|signingKey/.test(ref))).toBe(true);
  });

  it('lets the actions read the tokens of the systems they call, and never the webhook secret', () => {
    const { template } = synthesizeOnce(
      {},
      { ...minimalConfig(), versionServer: { url: 'https://v.example' } },
    );
    const env = envOf(
      'FunctionsActions',
      {},
      { ...minimalConfig(), versionServer: { url: 'https://v.example' } },
    );
    expect(env.GITLAB_TOKEN_SECRET_ARN).toBeDefined();
    expect(env.VERSION_SERVER_TOKEN_SECRET_ARN).toBeDefined();
    expect(env.HACKERONE_TOKEN_SECRET_ARN).toBeUndefined();
    expect(env.SECREL_WEBHOOK_SECRET_ARN).toBeUndefined();
    const readable = statementsOfRole(template, 'FunctionsActionsRole')
      .filter((statement) => [statement.Action].flat().includes('secretsmanager:GetSecretValue'))
      .flatMap((statement) => [statement.Resource].flat());
    const secrets = Object.keys(resourcesOfType(template, 'AWS::SecretsManager::Secret'));
    const refs = readable.map((resource) => (resource as { Ref?: string }).Ref);
    expect(refs.sort()).toEqual(secrets.filter((id) => !id.includes('webhookSecret')).sort());
  });

  it('gives the gate no secret at all', () => {
    const env = envOf('FunctionsGate');
    expect(Object.keys(env).filter((name) => Object.values(SECRET_ENV_VARS).includes(name))).toEqual([]);
  });
});
