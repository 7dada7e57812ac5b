import { describe, expect, it } from 'vitest';
import { ACTIONS_NEEDS } from '../../lambdas/actions.js';
import { gitlabWithoutToken, runtimeDepsFromEnv } from '../../lambdas/runtime-deps.js';
import { silentLogger } from '../../lib/services/logger.js';
import { exampleConfig } from '../e2e/ingress-harness.js';

/** The env the CDK stack gives the actions and gate functions, as their handlers read it. */

const STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:111111111111:stateMachine:secrel-dev-security-release';
const base = {
  TABLE_NAME: 'secrel-dev-releases',
  STATE_MACHINE_ARN,
  SECREL_CONFIG_JSON: JSON.stringify(exampleConfig()),
};

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

  it('have a stand-in GitLab that refuses every call for good', async () => {
    const gitlab = gitlabWithoutToken('gate');
    await expect(gitlab.createPipeline(42, 'main', {})).rejects.toThrow(
      'the gate function has no GitLab token',
    );
  });
});
