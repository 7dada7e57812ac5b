import { randomUUID } from 'node:crypto';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import { createDocumentClient, createDynamoClient } from '../../../lib/adapters/dynamo/client.js';
import { ensureReleaseTable } from '../../../lib/adapters/dynamo/create-table.js';
import { DynamoReleaseStore } from '../../../lib/adapters/dynamo/store.js';
import { TABLE_LAYOUT } from '../../../lib/adapters/dynamo/table-layout.js';
import { releaseState } from '../../support/release-builders.js';

describe('ensureReleaseTable', () => {
  it('creates an on-demand table with the store layout: pk/sk, GSI gsi1 on gsi1pk/gsi1sk', async () => {
    const client = createDynamoClient({ endpoint: inject('dynamoEndpoint') });
    const tableName = `layout-${randomUUID()}`;
    await ensureReleaseTable(client, tableName);

    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    expect(Table?.TableStatus).toBe('ACTIVE');
    expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    expect(Table?.KeySchema).toEqual([
      { AttributeName: TABLE_LAYOUT.partitionKey, KeyType: 'HASH' },
      { AttributeName: TABLE_LAYOUT.sortKey, KeyType: 'RANGE' },
    ]);
    const gsi = Table?.GlobalSecondaryIndexes?.[0];
    expect(gsi?.IndexName).toBe('gsi1');
    expect(gsi?.KeySchema).toEqual([
      { AttributeName: 'gsi1pk', KeyType: 'HASH' },
      { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
    ]);
    expect(gsi?.Projection?.ProjectionType).toBe(TABLE_LAYOUT.gsi1.projection);
  });

  it('keeps an existing table and its releases when local mode starts again', async () => {
    const client = createDynamoClient({ endpoint: inject('dynamoEndpoint') });
    const tableName = `restart-${randomUUID()}`;
    await ensureReleaseTable(client, tableName);
    const store = new DynamoReleaseStore({ client: createDocumentClient(client), tableName });
    const state = releaseState(7);
    await store.commit({ state, timeline: [] });

    await ensureReleaseTable(client, tableName);

    expect(await store.get(state.id)).toStrictEqual(state);
  });
});
