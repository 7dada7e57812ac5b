import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { ReleaseState } from '../../core/types/release.js';
import { parseReleaseItem } from './item-parsers.js';
import { type ItemKey, PARTITION_KEY, SORT_KEY } from './table-layout.js';

/** The table a store reads and writes, with the client that reaches it. */
export interface TableAccess {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
}

// BatchGetItem's limit on keys per request.
const BATCH_GET_LIMIT = 100;

/** Every item a Query matches, following `LastEvaluatedKey` page by page. */
export async function queryAll(
  client: DynamoDBDocumentClient,
  input: QueryCommandInput,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: QueryCommandInput['ExclusiveStartKey'];
  do {
    const out = await client.send(new QueryCommand({ ...input, ExclusiveStartKey: start }));
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}

/** A consistent Query for the items of one partition whose sort key starts with `prefix`. */
export function beginsWith(tableName: string, pk: string, prefix: string): QueryCommandInput {
  return {
    TableName: tableName,
    KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
    ExpressionAttributeNames: { '#pk': PARTITION_KEY, '#sk': SORT_KEY },
    ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix },
    ConsistentRead: true,
  };
}

/** The release states at `keys`, read consistently in batches; in no particular order. */
export async function batchGetStates(table: TableAccess, keys: readonly ItemKey[]): Promise<ReleaseState[]> {
  const states: ReleaseState[] = [];
  for (let i = 0; i < keys.length; i += BATCH_GET_LIMIT) {
    states.push(...(await batchGetChunk(table, keys.slice(i, i + BATCH_GET_LIMIT))));
  }
  return states;
}

async function batchGetChunk(
  { client, tableName }: TableAccess,
  keys: readonly ItemKey[],
): Promise<ReleaseState[]> {
  const states: ReleaseState[] = [];
  let pending: Record<string, unknown>[] = keys.map((key) => ({
    [PARTITION_KEY]: key.pk,
    [SORT_KEY]: key.sk,
  }));
  for (let attempt = 0; pending.length > 0; attempt++) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** attempt)));
    const out = await client.send(
      new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending, ConsistentRead: true } } }),
    );
    states.push(...(out.Responses?.[tableName] ?? []).map(parseReleaseItem));
    // Throttled keys come back unprocessed; ask again for those only.
    pending = out.UnprocessedKeys?.[tableName]?.Keys ?? [];
  }
  return states;
}
