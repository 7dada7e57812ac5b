import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../lib/core/config.js';
import { logicalId, resourcesOfType, synthesizeOnce } from './synth.js';

interface FunctionProps {
  Runtime: string;
  Architectures: string[];
  Handler: string;
  TracingConfig: { Mode: string };
  LoggingConfig: { LogFormat: string; LogGroup: unknown };
  Environment: { Variables: Record<string, unknown> };
}

function functions(): Record<string, FunctionProps> {
  const { template } = synthesizeOnce();
  const found = resourcesOfType(template, 'AWS::Lambda::Function');
  return Object.fromEntries(
    Object.entries(found).map(([id, r]) => [id, r.Properties as unknown as FunctionProps]),
  );
}

describe('secrel functions', () => {
  it('are exactly the webhook, gate and actions handlers', () => {
    const ids = Object.keys(functions()).sort();
    expect(ids).toHaveLength(3);
    expect(ids.map((id) => id.replace(/Function[0-9A-F]{8}$/, ''))).toEqual([
      'FunctionsActions',
      'FunctionsGate',
      'IngressWebhook',
    ]);
  });

  it('run on Node.js 24 on arm64, ESM bundles, traced, logging JSON to their own log group', () => {
    for (const fn of Object.values(functions())) {
      expect(fn.Runtime).toBe('nodejs24.x');
      expect(fn.Architectures).toEqual(['arm64']);
      expect(fn.Handler).toBe('index.handler');
      expect(fn.TracingConfig).toEqual({ Mode: 'Active' });
      expect(fn.LoggingConfig.LogFormat).toBe('JSON');
      expect(fn.LoggingConfig.LogGroup).toEqual({ Ref: expect.stringMatching(/Logs[0-9A-F]{8}$/) });
    }
  });

  it('hand every handler the table, the service name and a config that parses', () => {
    const { template } = synthesizeOnce();
    const table = logicalId(template, 'AWS::DynamoDB::Table', 'Releases');
    for (const fn of Object.values(functions())) {
      const env = fn.Environment.Variables;
      expect(env.TABLE_NAME).toEqual({ Ref: table });
      expect(env.POWERTOOLS_SERVICE_NAME).toBe('secrel');
      expect(env.NODE_OPTIONS).toBe('--enable-source-maps');
      const config = parseConfig(JSON.parse(String(env.SECREL_CONFIG_JSON)));
      expect(config.projects[0]?.path).toBe('acme/product');
    }
  });

  it('tell every function the state machine ARN, built from its fixed name, since each answers task tokens', () => {
    const fns = functions();
    const arnOf = (prefix: string) =>
      Object.entries(fns).find(([id]) => id.startsWith(prefix))?.[1].Environment.Variables.STATE_MACHINE_ARN;
    const expected = {
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':states:',
          { Ref: 'AWS::Region' },
          ':',
          { Ref: 'AWS::AccountId' },
          ':stateMachine:secrel-dev-security-release',
        ],
      ],
    };
    expect(arnOf('IngressWebhook')).toEqual(expected);
    expect(arnOf('FunctionsGate')).toEqual(expected);
    expect(arnOf('FunctionsActions')).toEqual(expected);
  });

  it('use roles of their own with no AWS managed policy', () => {
    const { template } = synthesizeOnce();
    const roles = resourcesOfType(template, 'AWS::IAM::Role');
    for (const role of Object.values(roles)) {
      expect(role.Properties?.ManagedPolicyArns).toBeUndefined();
    }
  });
});
