import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { DateTime } from 'luxon';
import { inject } from 'vitest';
import { loadLocalSettings } from '../../lib/adapters/config/load.js';
import {
  createDocumentClient,
  createDynamoClient,
  DynamoReleaseStore,
  ensureReleaseTable,
} from '../../lib/adapters/dynamo/index.js';
import type { SecrelConfig } from '../../lib/core/config.js';
import { type LocalHttpServer, startHttpServer } from '../../lib/local/http-server.js';
import type { Workflow } from '../../lib/ports.js';
import { silentLogger } from '../../lib/services/logger.js';
import type { WebhookDeps } from '../../lib/services/types.js';
import { signWebhook } from '../../lib/services/webhook-auth.js';
import { RecordingEffectDispatcher } from '../support/recording-effect-dispatcher.js';
import { snapshotTable } from '../support/table-snapshot.js';

/**
 * Test harness for ingress: a fresh table on the run's DynamoDB Local, the real local HTTP server
 * on 127.0.0.1, and a Workflow that records what it was asked (the state machine is not under
 * test here). Deliveries go over HTTP with the headers GitLab sends.
 */

/** The webhook secret the harness configures. */
export const SECRET = 'harness-webhook-secret';
/** The signing key the harness configures when asked for signed deliveries. */
export const SIGNING_KEY = `whsec_${Buffer.alloc(32, 3).toString('base64')}`;

/** One call the recording workflow received. */
export type WorkflowCall =
  | { readonly call: 'start'; readonly releaseId: string; readonly input: Readonly<Record<string, unknown>> }
  | { readonly call: 'sendTaskSuccess'; readonly token: string }
  | { readonly call: 'sendTaskFailure'; readonly token: string; readonly error: string }
  | { readonly call: 'stop'; readonly releaseId: string };

/** A {@link Workflow} that remembers its calls. */
export class RecordingWorkflow implements Workflow {
  readonly calls: WorkflowCall[] = [];
  async start(releaseId: string, input: Readonly<Record<string, unknown>>): Promise<void> {
    this.calls.push({ call: 'start', releaseId, input });
  }
  async sendTaskSuccess(token: string): Promise<void> {
    this.calls.push({ call: 'sendTaskSuccess', token });
  }
  async sendTaskFailure(token: string, error: string): Promise<void> {
    this.calls.push({ call: 'sendTaskFailure', token, error });
  }
  async stop(releaseId: string): Promise<void> {
    this.calls.push({ call: 'stop', releaseId });
  }
}

/**
 * The committed example config (project 42 `acme/product`, the default release label) with its
 * roles given to the people who act in the fixtures.
 */
export function exampleConfig(): SecrelConfig {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const { config } = loadLocalSettings({ SECREL_CONFIG: 'secrel.config.example.json' }, root);
  return {
    ...config,
    roles: {
      ...config.roles,
      'security lead': ['sam.seclead'],
      'release managers': ['riley.rm'],
      'dev team': ['dana.dev'],
    },
  };
}

/** A unique table name per harness, so test files never share state. */
export function uniqueTableName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** What a harness may be given: signing keys, and a clock (a fixed one makes two runs comparable). */
export interface HarnessOptions {
  readonly signingKeys?: readonly string[];
  readonly clock?: WebhookDeps['clock'];
}

/** Builds ingress's dependencies on a fresh DynamoDB Local table. */
export async function ingressDeps(options: HarnessOptions = {}) {
  const endpoint = inject('dynamoEndpoint');
  const tableName = uniqueTableName('ingress');
  const raw = createDynamoClient({ endpoint });
  await ensureReleaseTable(raw, tableName);
  const client = createDocumentClient(raw);
  const store = new DynamoReleaseStore({ client, tableName });
  const workflow = new RecordingWorkflow();
  const effects = new RecordingEffectDispatcher();
  const deps: WebhookDeps = {
    config: exampleConfig(),
    store,
    workflow,
    effects,
    clock: options.clock ?? { now: () => DateTime.utc() },
    logger: silentLogger,
    auth: { secrets: [SECRET], signingKeys: options.signingKeys ?? [] },
  };
  return { deps, client, tableName, store, workflow, effects, endpoint };
}

/** Headers GitLab sends with a delivery (Idempotency-Key stays the same across retries). */
export function gitlabHeaders(
  eventHeader: string,
  options: { idempotencyKey?: string; token?: string } = {},
): Record<string, string> {
  const key = options.idempotencyKey ?? randomUUID();
  return {
    'content-type': 'application/json',
    'user-agent': 'GitLab/17.5.0',
    'x-gitlab-event': eventHeader,
    'x-gitlab-token': options.token ?? SECRET,
    'x-gitlab-instance': 'https://gitlab.example.com',
    'x-gitlab-webhook-uuid': randomUUID(),
    'x-gitlab-event-uuid': randomUUID(),
    'idempotency-key': key,
  };
}

/** Adds Standard Webhooks headers signed with `key` at `timestamp` (seconds). */
export function signed(
  headers: Record<string, string>,
  body: string,
  key = SIGNING_KEY,
  timestamp = Math.floor(Date.now() / 1000),
): Record<string, string> {
  const id = headers['idempotency-key'] ?? randomUUID();
  return {
    ...headers,
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signWebhook(key, id, String(timestamp), body),
  };
}

/** The harness: server, table and recorders. */
export interface IngressHarness extends Awaited<ReturnType<typeof ingressDeps>> {
  readonly server: LocalHttpServer;
  /** Posts a body to `/webhooks/gitlab`; returns status and parsed JSON answer. */
  post(body: string, headers: Record<string, string>): Promise<{ status: number; json: unknown }>;
  /** Every item of the table, sorted. */
  snapshot(): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

/** Starts the harness. */
export async function startIngressHarness(options: HarnessOptions = {}): Promise<IngressHarness> {
  const parts = await ingressDeps(options);
  const server = await startHttpServer({ webhook: parts.deps });
  return {
    ...parts,
    server,
    async post(body, headers) {
      const res = await fetch(`${server.url}/webhooks/gitlab`, { method: 'POST', headers, body });
      return { status: res.status, json: await res.json() };
    },
    snapshot: () => snapshotTable(parts.client, parts.tableName),
    close: () => server.close(),
  };
}
