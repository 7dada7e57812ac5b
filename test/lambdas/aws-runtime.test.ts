import { afterEach, describe, expect, it } from 'vitest';
import { ACTIONS_NEEDS } from '../../lambdas/actions.js';
import { gitlabWithoutToken, runtimeDepsFromEnv } from '../../lambdas/aws-runtime.js';
import { startFakeSlack } from '../../lib/local/fakes/fake-slack.js';
import { silentLogger } from '../../lib/services/logger.js';
import { exampleConfig } from '../e2e/ingress-harness.js';
import { startAwsStandIn } from '../support/aws-stand-in.js';

/** The env the CDK stack gives the actions and gate functions, as their handlers read it. */

const STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:111111111111:stateMachine:secrel-dev-security-release';
const base = {
  TABLE_NAME: 'secrel-dev-releases',
  STATE_MACHINE_ARN,
  SECREL_CONFIG_JSON: JSON.stringify(exampleConfig()),
};

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

describe('Lambda runtime dependencies', () => {
  it('build for the gate function without a GitLab token, since the gate never calls GitLab', async () => {
    const deps = await runtimeDepsFromEnv(base, silentLogger, { gitlab: false });
    await expect(deps.gitlab.createIssueNote(42, 1, 'text')).rejects.toMatchObject({ name: 'Action.Failed' });
  });

  it('refuse to build for the actions function without a GitLab token or the state machine ARN', async () => {
    await expect(runtimeDepsFromEnv(base, silentLogger, ACTIONS_NEEDS)).rejects.toThrow(
      /GITLAB_TOKEN_SECRET_ARN/,
    );
    const { STATE_MACHINE_ARN: _, ...withoutArn } = base;
    await expect(
      runtimeDepsFromEnv({ ...withoutArn, GITLAB_TOKEN: 't' }, silentLogger, ACTIONS_NEEDS),
    ).rejects.toThrow(/STATE_MACHINE_ARN/);
  });

  it('warn, without values, that HackerOne follow-ups are skipped when its identifier or token is missing', async () => {
    const warnings: { message: string; fields?: unknown }[] = [];
    const logger = {
      ...silentLogger,
      warn: (message: string, fields?: unknown) => void warnings.push({ message, fields }),
    };
    const deps = await runtimeDepsFromEnv({ ...base, GITLAB_TOKEN: 'glpat-secret' }, logger, ACTIONS_NEEDS);
    expect(deps.hackerone).toBeUndefined();
    expect(warnings).toEqual([
      { message: expect.stringContaining('HackerOne'), fields: { token: false, identifier: false } },
    ]);
    expect(JSON.stringify(warnings)).not.toContain('glpat-secret');
  });

  it('send notices to the Slack webhook URL read from Secrets Manager, and stay off while the secret is not a URL', async () => {
    const slack = await startFakeSlack();
    const arn = 'arn:aws:secretsmanager:us-east-1:111111111111:secret:secrel/dev/slack-webhook-url-AbCdEf';
    const unset = 'arn:aws:secretsmanager:us-east-1:111111111111:secret:secrel/dev/slack-generated-AbCdEf';
    // DynamoDB is never called here; the stand-in only answers GetSecretValue.
    const aws = await startAwsStandIn({
      secrets: { [arn]: `${slack.webhookUrl}\n`, [unset]: 'generatedRandomValueNotAUrl48chars' },
      dynamoEndpoint: 'http://127.0.0.1:9',
    });
    const saved = { ...process.env };
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_SECRETS_MANAGER: aws.url,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
    });
    cleanups.push(async () => {
      process.env = saved;
      await aws.close();
      await slack.close();
    });
    const warnings: string[] = [];
    const logger = { ...silentLogger, warn: (message: string) => void warnings.push(message) };

    const deps = await runtimeDepsFromEnv(
      { ...base, GITLAB_TOKEN: 't', SLACK_WEBHOOK_URL_SECRET_ARN: arn },
      logger,
      ACTIONS_NEEDS,
    );
    await deps.notifier?.notify('Security release 42-7: Day two has started; see the release issue.');
    expect(slack.messages).toEqual(['Security release 42-7: Day two has started; see the release issue.']);
    expect(aws.calls.map((c) => [c.action, c.resource])).toContainEqual([
      'secretsmanager:GetSecretValue',
      arn,
    ]);

    const off = await runtimeDepsFromEnv(
      { ...base, GITLAB_TOKEN: 't', SLACK_WEBHOOK_URL_SECRET_ARN: unset },
      logger,
      ACTIONS_NEEDS,
    );
    await off.notifier?.notify('not sent');
    expect(slack.messages).toHaveLength(1);
    expect(warnings.filter((w) => w.includes('Slack'))).toHaveLength(1);
    expect(JSON.stringify(warnings)).not.toContain('generatedRandomValue');
  });

  it('have a stand-in GitLab that refuses every call for good', async () => {
    const gitlab = gitlabWithoutToken('gate');
    await expect(gitlab.createPipeline(42, 'main', {})).rejects.toThrow(
      'the gate function has no GitLab token',
    );
  });
});
