import { execFile } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App } from 'aws-cdk-lib';
import type { SecrelConfig } from '../../lib/core/config.js';
import { PROJECT_ROOT } from '../../lib/infra/lambda-function.js';
import { parseInfraSettings } from '../../lib/infra/settings.js';
import { SecrelStack } from '../../lib/infra/stack.js';
import { cdkJsonContext } from '../infra/synth.js';

/**
 * Test and bench support: synthesizes the stack WITH bundling (the esbuild bundles `cdk deploy`
 * uploads), and finds each function's bundle in the cloud assembly and its environment in the
 * template, so the very artifacts that would be deployed can be run and measured here.
 */

/** Which handler a function runs, by the logical id CDK gives it. */
export type FunctionKind = 'webhook' | 'gate' | 'actions';

/** One Lambda function as deployed. */
export interface DeployedFunction {
  readonly kind: FunctionKind;
  readonly logicalId: string;
  /** The bundle's entry file (`index.mjs`) in the cloud assembly. */
  readonly file: string;
  /** Its size in bytes (the file itself; the source map is not loaded by Node unless asked). */
  readonly bytes: number;
  /** Environment variables as the template writes them (strings or CloudFormation intrinsics). */
  readonly environment: Readonly<Record<string, unknown>>;
  /** Logical id of the function's role. */
  readonly roleId: string;
}

/** A bundled synthesis. */
export interface BundledStack {
  readonly outdir: string;
  readonly template: {
    readonly Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
  };
  readonly functions: readonly DeployedFunction[];
}

const KIND_BY_PREFIX: readonly [string, FunctionKind][] = [
  ['IngressWebhookFunction', 'webhook'],
  ['FunctionsGateFunction', 'gate'],
  ['FunctionsActionsFunction', 'actions'],
];

/** Synthesizes with bundling (local esbuild; takes some seconds) and finds the three functions. */
export function synthesizeBundled(config: SecrelConfig, context: Record<string, unknown> = {}): BundledStack {
  const outdir = mkdtempSync(join(tmpdir(), 'secrel-bundled-'));
  const app = new App({ outdir, context: { ...cdkJsonContext(), ...context } });
  const settings = parseInfraSettings(context);
  const stack = new SecrelStack(app, `secrel-${settings.stage}`, { settings, config });
  const assembly = app.synth();
  const artifact = assembly.getStackArtifact(stack.artifactId);
  const template = artifact.template as BundledStack['template'];
  const functions: DeployedFunction[] = [];
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const kind = KIND_BY_PREFIX.find(([prefix]) => logicalId.startsWith(prefix))?.[1];
    if (kind === undefined) continue;
    const props = resource.Properties ?? {};
    const key = String((props.Code as { S3Key?: unknown } | undefined)?.S3Key ?? '');
    const handler = String(props.Handler ?? 'index.handler');
    const file = join(outdir, `asset.${key.replace(/\.zip$/, '')}`, `${handler.split('.')[0]}.mjs`);
    const role = (props.Role as { 'Fn::GetAtt'?: [string, string] } | undefined)?.['Fn::GetAtt']?.[0] ?? '';
    functions.push({
      kind,
      logicalId,
      file,
      bytes: statSync(file).size,
      environment:
        (props.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {},
      roleId: role,
    });
  }
  return { outdir, template, functions };
}

/** What the intrinsics in an environment resolve to here. */
export interface Substitutions {
  /** By resource type: the value a `Ref` to such a resource becomes (given its logical id). */
  readonly refs: Readonly<Record<string, (logicalId: string) => string>>;
  readonly region: string;
  readonly account: string;
}

/** Resolves `Ref`, `Fn::Join` and pseudo parameters; anything else is a test failure. */
export function resolveEnvironment(
  stack: BundledStack,
  environment: Readonly<Record<string, unknown>>,
  subs: Substitutions,
): Record<string, string> {
  const resolve = (value: unknown): string => {
    if (typeof value === 'string') return value;
    const record = value as Record<string, unknown>;
    if (typeof record.Ref === 'string') {
      const ref = record.Ref;
      if (ref === 'AWS::Region') return subs.region;
      if (ref === 'AWS::AccountId') return subs.account;
      if (ref === 'AWS::Partition') return 'aws';
      if (ref === 'AWS::URLSuffix') return 'amazonaws.com';
      const type = stack.template.Resources[ref]?.Type ?? '';
      const by = subs.refs[type];
      if (!by) throw new Error(`no local stand-in for a Ref to ${type} (${ref})`);
      return by(ref);
    }
    if (Array.isArray(record['Fn::Join'])) {
      const [separator, parts] = record['Fn::Join'] as [string, unknown[]];
      return parts.map(resolve).join(separator);
    }
    throw new Error(`cannot resolve ${JSON.stringify(value)}`);
  };
  return Object.fromEntries(Object.entries(environment).map(([name, value]) => [name, resolve(value)]));
}

/** How one invocation in a fresh Node process ended. */
export type Invocation =
  | { readonly ok: true; readonly result: unknown; readonly stderr: string }
  | { readonly ok: false; readonly error: string; readonly message: string; readonly stderr: string };

const RUNNER = `
const [file, eventJson] = process.argv.slice(1);
// Exit once answered: the SDK's keep-alive sockets would hold the process open for seconds.
const out = (value) => process.stdout.write('\\n@@result@@' + JSON.stringify(value), () => process.exit(0));
try {
  const mod = await import(file);
  const result = await mod.handler(JSON.parse(eventJson), {});
  out({ ok: true, result: result ?? null });
} catch (err) {
  out({ ok: false, error: err?.name ?? 'unknown', message: String(err?.message ?? err) });
}`;

/**
 * Lays a bundle out as Lambda's Node.js runtime does: the function's code in `/var/task`, and the
 * runtime's own AWS SDK v3 (which CDK's NodejsFunction leaves out of bundles) reachable as
 * `@aws-sdk/*` from there, and nothing else. Here the SDK is the project's pinned one.
 */
export function lambdaLayout(file: string): string {
  const root = mkdtempSync(join(tmpdir(), 'secrel-lambda-'));
  const task = join(root, 'var', 'task');
  mkdirSync(task, { recursive: true });
  copyFileSync(file, join(task, basename(file)));
  if (existsSync(`${file}.map`)) copyFileSync(`${file}.map`, join(task, `${basename(file)}.map`));
  mkdirSync(join(root, 'node_modules'));
  symlinkSync(join(PROJECT_ROOT, 'node_modules', '@aws-sdk'), join(root, 'node_modules', '@aws-sdk'), 'dir');
  return join(task, basename(file));
}

/**
 * Loads a bundle in a fresh `node` (nothing of this process, no tsx, no node_modules in reach of
 * the bundle's own folder) with exactly `env`, and invokes its `handler` with `event`.
 */
export function invokeBundle(
  file: string,
  env: Record<string, string>,
  event: unknown,
  timeoutMs = 60_000,
): Promise<Invocation> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--input-type=module', '-e', RUNNER, pathToFileURL(file).href, JSON.stringify(event)],
      { env, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024, cwd: dirname(file) },
      (error, stdout, stderr) => {
        const marker = stdout.lastIndexOf('@@result@@');
        if (marker < 0) {
          reject(
            new Error(
              `bundle produced no result (${error?.message ?? 'no error'}): ${stderr.slice(0, 2000)}`,
            ),
          );
          return;
        }
        const parsed = JSON.parse(stdout.slice(marker + '@@result@@'.length)) as Omit<Invocation, 'stderr'>;
        resolve({ ...parsed, stderr } as Invocation);
      },
    );
  });
}

/** The bundle's text, for checks that it carries no secrets. */
export function bundleText(file: string): string {
  return readFileSync(file, 'utf8');
}
