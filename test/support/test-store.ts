import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';
import { createDocumentClient, createDynamoClient } from '../../lib/adapters/dynamo/client.js';
import { ensureReleaseTable } from '../../lib/adapters/dynamo/create-table.js';
import { DynamoReleaseStore } from '../../lib/adapters/dynamo/store.js';

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
