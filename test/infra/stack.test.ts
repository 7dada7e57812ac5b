import { App, Stack, Validations } from 'aws-cdk-lib';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { minimalConfig } from '../support/configs.js';
import { synthesize, synthesizeOnce } from './synth.js';

/** Every `Action`/`NotAction` value anywhere in the template: IAM policies, key and topic policies. */
function allActions(node: unknown, found: string[] = []): string[] {
  if (Array.isArray(node)) {
    for (const item of node) allActions(item, found);
  } else if (node !== null && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === 'Action' || key === 'NotAction') found.push(...[value].flat().map(String));
      else allActions(value, found);
    }
  }
  return found;
}

/** The template with asset hashes blanked, so the snapshot shows drift in resources, not in file contents. */
function normalized(template: unknown): unknown {
  return JSON.parse(JSON.stringify(template).replace(/[0-9a-f]{64}(\.json|\.zip)?/g, '<asset-hash>$1'));
}

describe('the secrel stack', () => {
  it('passes cdk-nag AwsSolutions and CloudFormation validation, as cdk synth runs them', () => {
    expect(() => synthesize({}, undefined, { cloudFormationValidation: true })).not.toThrow();
  });

  it('passes cdk-nag for prod, for imported secrets and for the smallest config', () => {
    expect(() => synthesize({ stage: 'prod', signedWebhooks: true })).not.toThrow();
    expect(() => synthesize({ secretMode: 'import', signedWebhooks: 'true' })).not.toThrow();
    expect(() => synthesize({}, minimalConfig())).not.toThrow();
    expect(() => synthesize({ slackNotifications: true })).not.toThrow();
    expect(() => synthesize({ secretMode: 'import', slackNotifications: 'true' })).not.toThrow();
  });

  it('passes cdk-nag when deploy fixes the account and region', () => {
    const env = { account: '123456789012', region: 'eu-west-1' };
    expect(() => synthesize({}, undefined, { env })).not.toThrow();
    expect(() =>
      synthesize({ secretMode: 'import', signedWebhooks: true }, undefined, { env }),
    ).not.toThrow();
  });

  it('would stop synth on a cdk-nag finding nobody acknowledged', () => {
    const app = new App();
    const stack = new Stack(app, 'Unacknowledged');
    new Secret(stack, 'NotRotated');
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).toThrow(/secret does not have automatic rotation/);
  });

  it('grants no wildcard action in any policy', () => {
    const actions = allActions(synthesizeOnce().template.toJSON());
    expect(actions.length).toBeGreaterThan(20);
    expect(actions.filter((action) => action.includes('*'))).toEqual([]);
  });

  it('holds no circular reference between the state machine and the functions it calls', () => {
    const env = JSON.stringify(
      Object.values(synthesizeOnce().template.findResources('AWS::Lambda::Function')).map(
        (fn) => (fn as { Properties: { Environment: unknown } }).Properties.Environment,
      ),
    );
    expect(env).not.toMatch(/WorkflowStateMachine[0-9A-F]{8}/);
  });

  it('matches the reviewed template (update the snapshot when a change is meant)', () => {
    expect(normalized(synthesizeOnce({}, minimalConfig()).template.toJSON())).toMatchSnapshot();
  });
});
