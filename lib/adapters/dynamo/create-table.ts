import {
  CreateTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import {
  GSI1_NAME,
  GSI1_PARTITION_KEY,
  GSI1_PROJECTION,
  GSI1_SORT_KEY,
  PARTITION_KEY,
  SORT_KEY,
  TTL_ATTRIBUTE,
} from './table-layout.js';

/** Options for {@link ensureReleaseTable}. */
export interface EnsureTableOptions {
  /** How long to wait for the table to become ACTIVE, in seconds. */
  readonly maxWaitSeconds?: number;
}

/**
 * Creates the release table with the store's layout unless it exists, waits until it is ACTIVE and
 * enables TTL on `expiresAt`. For local mode and tests; on AWS the CDK stack owns the table.
 * Safe to call on every start: a restart of local mode finds its table and keeps it.
 */
export async function ensureReleaseTable(
  client: DynamoDBClient,
  tableName: string,
  options: EnsureTableOptions = {},
): Promise<void> {
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: PARTITION_KEY, AttributeType: 'S' },
          { AttributeName: SORT_KEY, AttributeType: 'S' },
          { AttributeName: GSI1_PARTITION_KEY, AttributeType: 'S' },
          { AttributeName: GSI1_SORT_KEY, AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: PARTITION_KEY, KeyType: 'HASH' },
          { AttributeName: SORT_KEY, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: GSI1_NAME,
            KeySchema: [
              { AttributeName: GSI1_PARTITION_KEY, KeyType: 'HASH' },
              { AttributeName: GSI1_SORT_KEY, KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: GSI1_PROJECTION },
          },
        ],
      }),
    );
  } catch (err) {
    // The table is already there (a restart, or a concurrent start): keep it.
    if (!(err instanceof ResourceInUseException)) throw err;
  }
  await waitUntilTableExists(
    { client, maxWaitTime: options.maxWaitSeconds ?? 60, minDelay: 1, maxDelay: 2 },
    { TableName: tableName },
  );
  await enableTtl(client, tableName);
}

async function enableTtl(client: DynamoDBClient, tableName: string): Promise<void> {
  const current = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
  const status = current.TimeToLiveDescription?.TimeToLiveStatus;
  if (status === 'ENABLED' || status === 'ENABLING') return;
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
    }),
  );
}
