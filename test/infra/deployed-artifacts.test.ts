import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  createDocumentClient,
  createDynamoClient,
  DynamoReleaseStore,
  ensureReleaseTable,
} from '../../lib/adapters/dynamo/index.js';
import { parseConfig } from '../../lib/core/config.js';
import { FAKE_GITLAB_TOKEN, type FakeGitLab, startFakeGitLab } from '../../lib/local/fakes/index.js';
import { gitlabHeaders } from '../e2e/ingress-harness.js';
import { loadFixture } from '../fixtures/gitlab/index.js';
import { type AwsStandIn, startAwsStandIn } from '../support/aws-stand-in.js';
import { exampleConfig } from '../support/configs.js';
import {
  type BundledStack,
  type DeployedFunction,
  type FunctionKind,
  invokeBundle,
  lambdaLayout,
  resolveEnvironment,
  synthesizeBundled,
} from '../support/deployed-bundles.js';

/**
 * The deployed artifacts run: the stack is synthesized with bundling, each function's bundle is
 * taken from the cloud assembly and its environment from the template, and the bundle is loaded
 * in a fresh Node process and invoked with real events. The AWS SDK inside points at local
 * endpoints: DynamoDB Local (through the stand-in, which records each call) and a stand-in for
 * Step Functions, Lambda and Secrets Manager. Every AWS call a handler makes must be allowed by
 * its role in the template. This catches what a snapshot cannot: a module missing from a bundle,
 * a wrong environment name, a grant the code needs that the template lacks.
 */

const REGION = 'eu-west-1';
const ACCOUNT = '123456789012';
const WEBHOOK_SECRET = 'deployed-webhook-secret';

describe('the synthesized Lambda bundles, run as deployed', () => {
  let gitlab: FakeGitLab;
  let aws: AwsStandIn;
  let stack: BundledStack;
  let tableName: string;
  let store: DynamoReleaseStore;
  /** The vulnerability issue, which exists in the fake GitLab (the release issue links to it). */
  let releaseId: string;
  let vulnerabilityIid: number;

  const secretArn = (logicalId: string): string =>
    `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${logicalId}-AbCdEf`;

  beforeAll(async () => {
    const endpoint = inject('dynamoEndpoint');
    tableName = `deployed-${randomUUID().slice(0, 8)}`;
    const raw = createDynamoClient({ endpoint });
    await ensureReleaseTable(raw, tableName);
    store = new DynamoReleaseStore({ client: createDocumentClient(raw), tableName });
    gitlab = await startFakeGitLab({ projects: [{ id: 42, path: 'acme/product', defaultBranch: 'main' }] });
    vulnerabilityIid = gitlab.openIssue({
      project: 42,
      title: '[fake] vulnerability',
      confidential: true,
    }).iid;
    releaseId = `42-${vulnerabilityIid}`;
    // The committed example config, pointed at the fake GitLab (the deployer's config says where GitLab is).
    const example = exampleConfig();
    const config = parseConfig({
      ...example,
      gitlab: { ...example.gitlab, url: gitlab.url },
      roles: { ...example.roles, 'security lead': ['sam.seclead'] },
    });
    stack = synthesizeBundled(config);
    const secrets: Record<string, string> = {};
    for (const [id, resource] of Object.entries(stack.template.Resources)) {
      if (resource.Type !== 'AWS::SecretsManager::Secret') continue;
      secrets[secretArn(id)] = id.includes('webhook')
        ? WEBHOOK_SECRET
        : id.includes('gitlab')
          ? FAKE_GITLAB_TOKEN
          : `fake-${id}`;
    }
    aws = await startAwsStandIn({ secrets, dynamoEndpoint: endpoint });
  }, 180_000);

  afterAll(async () => {
    await Promise.all([gitlab?.close(), aws?.close()]);
    if (stack) rmSync(stack.outdir, { recursive: true, force: true });
    // Each layout is <root>/var/task/index.mjs.
    for (const file of layouts.values())
      rmSync(join(file, '..', '..', '..'), { recursive: true, force: true });
  });

  const layouts = new Map<string, string>();
  /** The bundle laid out as in the Lambda runtime (once per function). */
  function laidOut(f: DeployedFunction): string {
    let file = layouts.get(f.logicalId);
    if (!file) {
      file = lambdaLayout(f.file);
      layouts.set(f.logicalId, file);
    }
    return file;
  }

  function fn(kind: FunctionKind): DeployedFunction {
    const found = stack.functions.find((f) => f.kind === kind);
    if (!found) throw new Error(`no ${kind} function in the template`);
    return found;
  }

  /** The function's environment from the template, intrinsics resolved to local stand-ins. */
  function environmentOf(f: DeployedFunction): Record<string, string> {
    const variables = resolveEnvironment(stack, f.environment, {
      region: REGION,
      account: ACCOUNT,
      refs: {
        'AWS::DynamoDB::Table': () => tableName,
        'AWS::SecretsManager::Secret': secretArn,
        'AWS::Lambda::Function': (id) => `secrel-${id}`,
      },
    });
    return {
      ...variables,
      PATH: process.env.PATH ?? '',
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_DYNAMODB: aws.url,
      AWS_ENDPOINT_URL_SFN: aws.url,
      AWS_ENDPOINT_URL_LAMBDA: aws.url,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: aws.url,
      AWS_LAMBDA_FUNCTION_NAME: f.logicalId,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
  }

  /** Every IAM action the function's role may perform, from the template. */
  function allowedActions(f: DeployedFunction): string[] {
    const actions: string[] = [];
    for (const resource of Object.values(stack.template.Resources)) {
      if (resource.Type !== 'AWS::IAM::Policy') continue;
      const roles = JSON.stringify(resource.Properties?.Roles ?? []);
      if (!roles.includes(`"${f.roleId}"`)) continue;
      const statements =
        (
          resource.Properties?.PolicyDocument as {
            Statement?: { Effect: string; Action: string | string[] }[];
          }
        )?.Statement ?? [];
      for (const statement of statements) {
        if (statement.Effect !== 'Allow') continue;
        actions.push(...(Array.isArray(statement.Action) ? statement.Action : [statement.Action]));
      }
    }
    return actions;
  }

  function allowed(action: string, patterns: readonly string[]): boolean {
    return patterns.some((pattern) =>
      new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`, 'i').test(action),
    );
  }

  /** Invokes and returns the result plus the AWS calls made, after checking each is granted. */
  async function run(kind: FunctionKind, event: unknown) {
    const f = fn(kind);
    const from = aws.calls.length;
    const outcome = await invokeBundle(laidOut(f), environmentOf(f), event);
    const calls = aws.calls.slice(from);
    const grants = allowedActions(f);
    const ungranted = calls.map((c) => c.action).filter((action) => !allowed(action, grants));
    return { outcome, calls, ungranted };
  }

  it('finds three bundles with their environment in the template', () => {
    expect(stack.functions.map((f) => f.kind).sort()).toEqual(['actions', 'gate', 'webhook']);
    for (const f of stack.functions) expect(f.bytes).toBeGreaterThan(10_000);
  });

  it('the webhook bundle accepts a fixture delivery, writes the release and starts its execution', async () => {
    const payload = loadFixture('confidential-issue-labelled') as {
      object_attributes: Record<string, unknown>;
    };
    payload.object_attributes.iid = vulnerabilityIid;
    const body = JSON.stringify(payload);
    const headers = gitlabHeaders('Confidential Issue Hook', { token: WEBHOOK_SECRET });
    const event = {
      version: '2.0',
      routeKey: 'POST /webhooks/gitlab',
      rawPath: '/webhooks/gitlab',
      rawQueryString: '',
      // HTTP APIs pass header names as sent; GitLab sends them capitalised.
      headers: { ...headers, 'X-Gitlab-Event': 'Confidential Issue Hook' },
      body,
      isBase64Encoded: false,
      requestContext: { http: { method: 'POST', path: '/webhooks/gitlab', sourceIp: '203.0.113.9' } },
    };
    const { outcome, calls, ungranted } = await run('webhook', event);
    expect(outcome).toMatchObject({ ok: true, result: { statusCode: 200 } });
    expect(ungranted).toEqual([]);
    const release = await store.get(releaseId);
    expect(release).toMatchObject({ id: releaseId, status: 'planning', projectId: 42 });
    const actions = calls.map((c) => c.action);
    expect(actions).toContain('secretsmanager:GetSecretValue');
    expect(actions).toContain('dynamodb:PutItem');
    expect(actions).toContain('states:StartExecution');

    // A wrong token is refused by the same bundle, and writes nothing.
    const refused = await run('webhook', {
      ...event,
      headers: gitlabHeaders('Confidential Issue Hook', { token: 'not-the-secret' }),
    });
    expect(refused.outcome).toMatchObject({ ok: true, result: { statusCode: 401 } });
    expect(refused.calls.filter((c) => /Write|Put|Update|Delete/.test(c.action))).toEqual([]);
  }, 60_000);

  it('the gate bundle stores a task token on the release', async () => {
    const { outcome, ungranted } = await run('gate', {
      releaseId,
      gate: 'schedule-confirmed',
      token: 'task-token-from-the-state-machine',
    });
    expect(outcome.ok, JSON.stringify(outcome)).toBe(true);
    expect(ungranted).toEqual([]);
    const release = await store.get(releaseId);
    expect(release?.gates['schedule-confirmed']).toMatchObject({
      status: 'waiting',
      token: 'task-token-from-the-state-machine',
    });
  }, 60_000);

  it('the actions bundle performs one action against the fake GitLab', async () => {
    const before = gitlab.issues.length;
    const { outcome, ungranted } = await run('actions', {
      releaseId,
      step: 'action',
      task: 'create-release-issue',
    });
    expect(outcome.ok, JSON.stringify(outcome)).toBe(true);
    expect(ungranted).toEqual([]);
    const created = gitlab.issues.slice(before);
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ projectId: 42, confidential: true });
    expect((await store.get(releaseId))?.releaseIssue?.iid).toBe(created[0]?.iid);
  }, 60_000);
});
