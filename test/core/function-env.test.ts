import { describe, expect, it } from 'vitest';
import { parseFunctionEnv } from '../../lib/core/function-env.js';

const gateEnv = {
  TABLE_NAME: 'secrel-dev-releases',
  STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:111111111111:stateMachine:secrel-dev-security-release',
  SECREL_CONFIG_JSON: '{}',
  POWERTOOLS_SERVICE_NAME: 'secrel',
  POWERTOOLS_METRICS_NAMESPACE: 'secrel',
  NODE_OPTIONS: '--enable-source-maps',
};

describe('a function reads its environment through the contract', () => {
  it('accepts what the stack sets and ignores what Lambda adds', () => {
    const env = parseFunctionEnv('gate', { ...gateEnv, AWS_REGION: 'us-east-1' });
    expect(env.TABLE_NAME).toBe('secrel-dev-releases');
    expect(env).not.toHaveProperty('AWS_REGION');
  });

  it('refuses to start without a variable, in one line naming it', () => {
    const { TABLE_NAME: _, ...withoutTable } = gateEnv;
    expect(() => parseFunctionEnv('gate', withoutTable)).toThrow(
      "the gate function's environment is wrong: TABLE_NAME is not set",
    );
  });

  it('refuses a wrong value without echoing it', () => {
    let message = '';
    try {
      parseFunctionEnv('gate', { ...gateEnv, POWERTOOLS_SERVICE_NAME: 'glpat-should-not-appear' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toBe("the gate function's environment is wrong: POWERTOOLS_SERVICE_NAME is invalid");
  });

  it('asks the actions function for the GitLab token ARN and the webhook function for the actions function', () => {
    expect(() => parseFunctionEnv('actions', gateEnv)).toThrow('GITLAB_TOKEN_SECRET_ARN is not set');
    expect(() => parseFunctionEnv('webhook', gateEnv)).toThrow('ACTIONS_FUNCTION_NAME is not set');
  });
});
