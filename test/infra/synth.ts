import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { SecrelConfig } from '../../lib/core/config.js';
import { PROJECT_ROOT } from '../../lib/infra/lambda-function.js';
import { parseInfraSettings } from '../../lib/infra/settings.js';
import { SecrelStack } from '../../lib/infra/stack.js';
import { exampleConfig } from '../support/configs.js';

/** The context (feature flags) committed in cdk.json. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  return cdkJson.context ?? {};
}

/** A synthesized secrel stack, with the cloud assembly it was written to. */
export interface Synthesized {
  readonly stack: SecrelStack;
  readonly template: Template;
  readonly outdir: string;
}

/**
 * Synthesizes the stack the way `bin/app.ts` does, cdk-nag included, but without bundling the
 * handlers (esbuild is slow and the handlers are not under test here). Throws if cdk-nag finds
 * anything not acknowledged.
 */
export function synthesize(
  context: Record<string, unknown> = {},
  config: SecrelConfig = exampleConfig(),
  options: {
    readonly cloudFormationValidation?: boolean;
    /** Account and region, as `cdk deploy` fixes them from the credentials. */
    readonly env?: { readonly account: string; readonly region: string };
  } = {},
): Synthesized {
  const outdir = mkdtempSync(join(tmpdir(), 'secrel-cdk-'));
  const app = new App({
    outdir,
    // cdk.json's feature flags, so tests build the template `cdk synth` builds; no bundling.
    context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] },
    // CDK's own template validation takes seconds; the stack test runs it once, as `cdk synth` does.
    builtinCloudFormationValidation: options.cloudFormationValidation ?? false,
  });
  const settings = parseInfraSettings(context);
  const stack = new SecrelStack(app, `secrel-${settings.stage}`, { settings, config, env: options.env });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  app.synth();
  return { stack, template: Template.fromStack(stack), outdir };
}

/** A CloudFormation resource as the template holds it. */
export interface CfnResourceJson {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}

/** Resources of one type, by logical id. */
export function resourcesOfType(template: Template, type: string): Record<string, CfnResourceJson> {
  return template.findResources(type) as Record<string, CfnResourceJson>;
}

/** The logical id of the only resource of a type whose id starts with `prefix`. */
export function logicalId(template: Template, type: string, prefix: string): string {
  const ids = Object.keys(resourcesOfType(template, type)).filter((id) => id.startsWith(prefix));
  if (ids.length !== 1) throw new Error(`expected one ${type} named ${prefix}*, found ${ids.length}`);
  return ids[0] as string;
}

const cache = new Map<string, Synthesized>();

/** {@link synthesize}, memoised per context and config within a test file: synthesis takes a second. */
export function synthesizeOnce(
  context: Record<string, unknown> = {},
  config: SecrelConfig = exampleConfig(),
): Synthesized {
  const key = JSON.stringify([context, config]);
  let synthesized = cache.get(key);
  if (!synthesized) {
    synthesized = synthesize(context, config);
    cache.set(key, synthesized);
  }
  return synthesized;
}

/** One IAM statement as the template holds it. */
export interface StatementJson {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource?: unknown;
}

/** The statements of the inline policy attached to the role whose logical id starts with `rolePrefix`. */
export function statementsOfRole(template: Template, rolePrefix: string): StatementJson[] {
  const role = logicalId(template, 'AWS::IAM::Role', rolePrefix);
  const policies = Object.values(resourcesOfType(template, 'AWS::IAM::Policy')).filter((policy) =>
    JSON.stringify(policy.Properties?.Roles).includes(`"${role}"`),
  );
  return policies.flatMap(
    (policy) =>
      (policy.Properties?.PolicyDocument as { Statement?: StatementJson[] } | undefined)?.Statement ?? [],
  );
}

/** Every action a role may perform, flattened and sorted. */
export function actionsOfRole(template: Template, rolePrefix: string): string[] {
  return statementsOfRole(template, rolePrefix)
    .flatMap((statement) => (Array.isArray(statement.Action) ? statement.Action : [statement.Action]))
    .sort();
}
