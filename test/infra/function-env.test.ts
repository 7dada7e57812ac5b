import { describe, expect, it } from 'vitest';
import {
  FUNCTION_ENV_SCHEMAS,
  type FunctionName,
  functionEnvNames,
  requiredFunctionEnvNames,
} from '../../lib/core/function-env.js';
import { minimalConfig } from '../support/configs.js';
import { resourcesOfType, synthesizeOnce } from './synth.js';

/**
 * The synthesized template's Lambda environments against the env contract the handlers parse
 * (`lib/core/function-env.ts`): every variable set is one a handler reads, and every one a
 * handler needs is set.
 */

const PREFIX: Readonly<Record<FunctionName, string>> = {
  webhook: 'IngressWebhook',
  gate: 'FunctionsGate',
  actions: 'FunctionsActions',
};

function environments(context: Record<string, unknown>, config = minimalConfig()) {
  const { template } = synthesizeOnce(context, config);
  const functions = Object.entries(resourcesOfType(template, 'AWS::Lambda::Function'));
  const envOf = (name: FunctionName): Record<string, unknown> => {
    const found = functions.find(([id]) => id.startsWith(PREFIX[name]));
    const env = found?.[1].Properties?.Environment as { Variables: Record<string, unknown> } | undefined;
    if (!env) throw new Error(`no ${name} function in the template`);
    return env.Variables;
  };
  return { webhook: envOf('webhook'), gate: envOf('gate'), actions: envOf('actions') };
}

/** The environment as the function sees it once CloudFormation resolved references to strings. */
function resolved(env: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).map(([key, value]) => [
      key,
      typeof value === 'string' ? value : 'resolved-at-deploy',
    ]),
  );
}

const everything = { signedWebhooks: true, hackeroneApiIdentifier: 'secrel-bot', slackNotifications: true };

describe('the functions environment equals the env contract', () => {
  it('sets every variable of the contract when every option is on, and nothing else', async () => {
    const { exampleConfig } = await import('../support/configs.js');
    const envs = environments(everything, exampleConfig());
    for (const name of Object.keys(PREFIX) as FunctionName[]) {
      expect(Object.keys(envs[name]).sort(), name).toEqual(functionEnvNames(name));
      expect(FUNCTION_ENV_SCHEMAS[name].safeParse(resolved(envs[name])).success, name).toBe(true);
    }
  });

  it('sets exactly the required variables with a minimal config', () => {
    const envs = environments({});
    for (const name of Object.keys(PREFIX) as FunctionName[]) {
      expect(Object.keys(envs[name]).sort(), name).toEqual(requiredFunctionEnvNames(name));
      expect(FUNCTION_ENV_SCHEMAS[name].safeParse(resolved(envs[name])).success, name).toBe(true);
    }
  });

  it('gives the gate function no GitLab token', () => {
    expect(Object.keys(environments(everything).gate)).not.toContain('GITLAB_TOKEN_SECRET_ARN');
  });
});
