import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';
import { createDocumentClient, createDynamoClient } from '../../lib/adapters/dynamo/client.js';
import { ensureReleaseTable } from '../../lib/adapters/dynamo/create-table.js';
import { DynamoReleaseStore } from '../../lib/adapters/dynamo/store.js';
import type { ActionRecord, ReleaseState, TimelineEntry } from '../../lib/core/types/release.js';

/** A store on a fresh, uniquely named table in the run's DynamoDB Local, and the commands it sent. */
export interface TestStore {
  readonly store: DynamoReleaseStore;
  readonly client: DynamoDBClient;
  readonly doc: DynamoDBDocumentClient;
  readonly tableName: string;
  /** Names of every command sent through the document client (`QueryCommand`, ...). */
  readonly sent: string[];
}

/** Creates a table for one test file and a store on it. */
export async function makeTestStore(nowMs?: () => number): Promise<TestStore> {
  const client = createDynamoClient({ endpoint: inject('dynamoEndpoint') });
  const tableName = `releases-${randomUUID()}`;
  await ensureReleaseTable(client, tableName);
  const doc = createDocumentClient(client);
  const sent: string[] = [];
  // Records which operations the store uses, so a test can prove it never scans.
  doc.middlewareStack.add(
    (next, context) => async (args) => {
      sent.push(context.commandName ?? 'unknown');
      return next(args);
    },
    { step: 'initialize', name: 'recordCommandNames' },
  );
  const store = new DynamoReleaseStore(
    nowMs ? { client: doc, tableName, nowMs } : { client: doc, tableName },
  );
  return { store, client, doc, tableName, sent };
}

/** A minimal valid release state at revision 1, just started from vulnerability issue `iid`. */
export function releaseState(iid: number, overrides: Partial<ReleaseState> = {}): ReleaseState {
  return {
    id: `42-${iid}`,
    revision: 1,
    status: 'planning',
    projectId: 42,
    projectPath: 'acme/product',
    vulnerabilityIssue: { projectId: 42, iid },
    slipHours: 0,
    versions: [],
    phase: 'first-steps',
    tasks: {},
    mergeRequests: {},
    pipelines: {},
    deployments: {},
    gates: {},
    createdAt: '2026-12-01T09:00:00.000Z',
    updatedAt: '2026-12-01T09:00:00.000Z',
    ...overrides,
  };
}

/** The same release one revision later, with a change applied. */
export function nextRevision(state: ReleaseState, change: Partial<ReleaseState> = {}): ReleaseState {
  return { ...state, ...change, revision: state.revision + 1 };
}

/** A timeline line with a non-confidential summary. */
export function entry(summary: string, at = '2026-12-01T09:00:00.000Z'): TimelineEntry {
  return { at, kind: 'test', summary };
}

/** An action record as an action handler writes it before calling out. */
export function startedAction(releaseId: string, overrides: Partial<ActionRecord> = {}): ActionRecord {
  return {
    releaseId,
    action: 'build-packages',
    subject: '17.5',
    status: 'started',
    startedAt: '2026-12-03T10:00:00.000Z',
    ...overrides,
  };
}
