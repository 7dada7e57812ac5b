import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { ActionRecord, ReleaseState, TimelineEntry } from '../../core/types/release.js';
import {
  type ActionClaim,
  DuplicateDeliveryError,
  type ReleaseBatchCommit,
  type ReleaseCommit,
  type ReleaseStore,
} from '../../ports.js';
import { CommitTooLargeError, InvalidRevisionError, UnclaimedActionError } from './errors.js';
import {
  parseActionItem,
  parseReleaseItem,
  parseReleaseKey,
  parseRouteItem,
  parseTimelineItem,
} from './item-parsers.js';
import {
  ACTION_SK_PREFIX,
  actionItem,
  actionKey,
  deliveryItem,
  deliveryKey,
  GSI1_NAME,
  GSI1_PARTITION_KEY,
  type ItemKey,
  MAX_TRANSACTION_ITEMS,
  PARTITION_KEY,
  RELEASES_PARTITION,
  releaseItem,
  releasePk,
  releaseStateKey,
  routeItem,
  routeKey,
  routePk,
  SORT_KEY,
  TIMELINE_SK_PREFIX,
  timelineItems,
} from './table-layout.js';
import {
  type BatchItemPositions,
  type CommitItemPositions,
  mapBatchCommitError,
  mapCommitError,
} from './transaction-errors.js';

/** Options for {@link DynamoReleaseStore}. */
export interface DynamoReleaseStoreOptions {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  /**
   * Wall-clock milliseconds, for delivery expiry. Real time even in local mode: it bounds how long
   * GitLab may resend a webhook, which the release clock's speed does not change.
   */
  readonly nowMs?: () => number;
}

type TransactItems = NonNullable<TransactWriteCommandInput['TransactItems']>;

// BatchGetItem's limit on keys per request.
const BATCH_GET_LIMIT = 100;

/**
 * The release store on one DynamoDB table (layout in `table-layout.ts`). Every read is by key or
 * Query; each commit is one TransactWriteItems, so a change to a release is all or nothing.
 */
export class DynamoReleaseStore implements ReleaseStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly nowMs: () => number;

  constructor(options: DynamoReleaseStoreOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.nowMs = options.nowMs ?? Date.now;
  }

  /** Reads a release's state (strongly consistent), or undefined when there is none. */
  async get(releaseId: string): Promise<ReleaseState | undefined> {
    const out = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: releaseStateKey(releaseId), ConsistentRead: true }),
    );
    return out.Item ? parseReleaseItem(out.Item) : undefined;
  }

  /** Release ids a routing key points at, in id order. */
  async resolve(routingKey: string): Promise<readonly string[]> {
    const items = await this.queryAll({
      TableName: this.tableName,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': PARTITION_KEY },
      ExpressionAttributeValues: { ':pk': routePk(routingKey) },
      ConsistentRead: true,
    });
    return items.map(parseRouteItem);
  }

  /**
   * Writes the state (conditioned on the previous revision), the delivery key (conditioned on being
   * new), the timeline entries and the routing items in one transaction.
   * @throws RevisionConflictError when another change landed first; nothing is written.
   * @throws DuplicateDeliveryError when the delivery key was recorded before; nothing is written.
   * @throws CommitTooLargeError when the commit needs more than 100 items.
   */
  async commit(commit: ReleaseCommit): Promise<void> {
    const { state } = commit;
    if (!Number.isInteger(state.revision) || state.revision < 1) {
      throw new InvalidRevisionError(`release ${state.id}: revision must be a whole number from 1`);
    }
    const routingKeys = [...new Set(commit.routingKeys ?? [])];
    const dropped = [...new Set(commit.droppedRoutingKeys ?? [])].filter((key) => !routingKeys.includes(key));
    const size =
      1 +
      (commit.deliveryKey === undefined ? 0 : 1) +
      commit.timeline.length +
      routingKeys.length +
      dropped.length;
    if (size > MAX_TRANSACTION_ITEMS) {
      throw new CommitTooLargeError(
        `release ${state.id}: commit needs ${size} items, one transaction holds ${MAX_TRANSACTION_ITEMS}`,
      );
    }

    // The state goes first and the delivery second: mapCommitError reads cancellation reasons by position.
    const positions: CommitItemPositions = {
      releaseId: state.id,
      revision: state.revision,
      state: 0,
      ...(commit.deliveryKey === undefined ? {} : { delivery: 1 }),
    };
    const items: TransactItems = [
      { Put: { TableName: this.tableName, Item: releaseItem(state), ...revisionCondition(state) } },
    ];
    if (commit.deliveryKey !== undefined) {
      items.push({
        Put: {
          TableName: this.tableName,
          Item: deliveryItem(commit.deliveryKey, this.nowMs()),
          ...notExists(),
        },
      });
    }
    for (const item of timelineItems(state.id, state.revision, commit.timeline)) {
      items.push({ Put: { TableName: this.tableName, Item: item } });
    }
    for (const key of routingKeys) {
      items.push({ Put: { TableName: this.tableName, Item: routeItem(key, state.id) } });
    }
    // Keyed by this release: another release's route for the same key is untouched. Deleting an
    // absent item succeeds, so a key that was never written cannot block the commit.
    for (const key of dropped) {
      items.push({ Delete: { TableName: this.tableName, Key: routeKey(key, state.id) } });
    }

    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (err) {
      throw mapCommitError(err, positions);
    }
  }

  /**
   * Writes a batch of deliveries to one release in one transaction: the state once (or a check
   * that its revision did not move), each delivery conditioned on being new, each change's
   * timeline under its own revision, and the new routing keys.
   * @throws RevisionConflictError when the release moved from `baseRevision`; nothing is written.
   * @throws DuplicateDeliveriesError naming the deliveries recorded before; nothing is written.
   * @throws CommitTooLargeError when the batch needs more than 100 items.
   */
  async commitBatch(batch: ReleaseBatchCommit): Promise<void> {
    const { state, releaseId, baseRevision } = batch;
    if (!Number.isInteger(baseRevision) || baseRevision < 0) {
      throw new InvalidRevisionError(`release ${releaseId}: base revision must be a whole number from 0`);
    }
    if (
      state &&
      (state.id !== releaseId || !Number.isInteger(state.revision) || state.revision <= baseRevision)
    ) {
      throw new InvalidRevisionError(
        `release ${releaseId}: the batch state must follow revision ${baseRevision}`,
      );
    }
    const routingKeys = [...new Set(batch.routingKeys ?? [])];
    const items: TransactItems = [];
    const deliveries = new Map<number, number>();
    const stateKey = releaseStateKey(releaseId);
    // Unchanged state is still checked, so a verdict of "nothing to change" was reached on the stored revision.
    const condition = baseRevision === 0 ? notExists() : revisionIs(baseRevision);
    items.push(
      state
        ? { Put: { TableName: this.tableName, Item: releaseItem(state), ...condition } }
        : { ConditionCheck: { TableName: this.tableName, Key: stateKey, ...condition } },
    );
    batch.deliveries.forEach((delivery, index) => {
      deliveries.set(items.length, index);
      items.push({
        Put: { TableName: this.tableName, Item: deliveryItem(delivery.key, this.nowMs()), ...notExists() },
      });
      for (const absent of delivery.absentKeys ?? []) {
        deliveries.set(items.length, index);
        items.push({
          ConditionCheck: { TableName: this.tableName, Key: deliveryKey(absent), ...notExists() },
        });
      }
    });
    for (const change of batch.timeline) {
      for (const item of timelineItems(releaseId, change.revision, change.entries)) {
        items.push({ Put: { TableName: this.tableName, Item: item } });
      }
    }
    for (const key of routingKeys) {
      items.push({ Put: { TableName: this.tableName, Item: routeItem(key, releaseId) } });
    }
    if (items.length > MAX_TRANSACTION_ITEMS) {
      throw new CommitTooLargeError(
        `release ${releaseId}: batch needs ${items.length} items, one transaction holds ${MAX_TRANSACTION_ITEMS}`,
      );
    }
    const positions: BatchItemPositions = { releaseId, baseRevision, state: 0, deliveries };
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (err) {
      throw mapBatchCommitError(err, positions);
    }
  }

  /**
   * Records a delivery that changed no release, so a resend is recognised.
   * @throws DuplicateDeliveryError when it was recorded before.
   */
  async recordDelivery(key: string): Promise<void> {
    try {
      await this.client.send(
        new PutCommand({ TableName: this.tableName, Item: deliveryItem(key, this.nowMs()), ...notExists() }),
      );
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) {
        throw new DuplicateDeliveryError('delivery already recorded', { cause: err });
      }
      throw err;
    }
  }

  /** Whether a delivery key is recorded (until TTL removes it). */
  async hasDelivery(key: string): Promise<boolean> {
    const out = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: deliveryKey(key),
        ConsistentRead: true,
        ProjectionExpression: '#pk',
        ExpressionAttributeNames: { '#pk': PARTITION_KEY },
      }),
    );
    return out.Item !== undefined;
  }

  /** Every release, oldest first: ids from the GSI's `RELEASES` partition, states by consistent batch get. */
  async listReleases(): Promise<readonly ReleaseState[]> {
    const keys = (
      await this.queryAll({
        TableName: this.tableName,
        IndexName: GSI1_NAME,
        KeyConditionExpression: '#g = :g',
        ExpressionAttributeNames: { '#g': GSI1_PARTITION_KEY },
        ExpressionAttributeValues: { ':g': RELEASES_PARTITION },
      })
    ).map(parseReleaseKey);
    const byPk = new Map<string, ReleaseState>();
    for (let i = 0; i < keys.length; i += BATCH_GET_LIMIT) {
      for (const state of await this.batchGetStates(keys.slice(i, i + BATCH_GET_LIMIT))) {
        byPk.set(releasePk(state.id), state);
      }
    }
    // Batch get answers in no particular order; keep the index's order (creation time).
    return keys.flatMap((key) => byPk.get(key.pk) ?? []);
  }

  /** The release's timeline in the order its changes were committed. */
  async timeline(releaseId: string): Promise<readonly TimelineEntry[]> {
    const items = await this.queryAll(beginsWith(this.tableName, releasePk(releaseId), TIMELINE_SK_PREFIX));
    return items.map(parseTimelineItem);
  }

  /**
   * Records an action as started with a conditional Put, so it happens at most once (DESIGN.md §4.3).
   * When a record exists, returns it with `claimed: false`.
   */
  async claimAction(record: ActionRecord): Promise<ActionClaim> {
    try {
      await this.client.send(
        new PutCommand({ TableName: this.tableName, Item: actionItem(record), ...notExists() }),
      );
      return { claimed: true, record };
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
    }
    // Records are never deleted, so the one that won the race is there to read.
    return { claimed: false, record: parseActionItem(await this.readActionItem(record)) };
  }

  /**
   * Stores how a claimed action ended: status, finish time, result or error.
   * @throws UnclaimedActionError when the action was never claimed.
   */
  async finishAction(record: ActionRecord): Promise<void> {
    const names: Record<string, string> = { '#pk': PARTITION_KEY, '#record': 'record', '#status': 'status' };
    const values: Record<string, unknown> = { ':status': record.status };
    const set = ['#record.#status = :status'];
    const remove: string[] = [];
    for (const field of ['finishedAt', 'result', 'error'] as const) {
      names[`#${field}`] = field;
      if (record[field] === undefined) {
        remove.push(`#record.#${field}`);
      } else {
        values[`:${field}`] = record[field];
        set.push(`#record.#${field} = :${field}`);
      }
    }
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: actionKey(record.releaseId, record.action, record.subject),
          UpdateExpression: `SET ${set.join(', ')}${remove.length ? ` REMOVE ${remove.join(', ')}` : ''}`,
          ConditionExpression: 'attribute_exists(#pk)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) throw neverClaimed(record, err);
      throw err;
    }
  }

  /**
   * Claims again an action whose earlier attempt failed or was cut off: replaces the stored record
   * only while it is still not succeeded and still at `expectedAttempt`, so of two concurrent
   * re-claims exactly one wins. The loser gets the record as stored, with `claimed: false`.
   */
  async reclaimAction(record: ActionRecord, expectedAttempt: number): Promise<ActionClaim> {
    // Records written before attempts were counted are attempt 1.
    const attemptHolds =
      expectedAttempt === 1
        ? '(attribute_not_exists(#record.#result.#attempt) OR #record.#result.#attempt = :expected)'
        : '#record.#result.#attempt = :expected';
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: actionItem(record),
          ConditionExpression: `attribute_exists(#pk) AND #record.#status <> :succeeded AND ${attemptHolds}`,
          ExpressionAttributeNames: {
            '#pk': PARTITION_KEY,
            '#record': 'record',
            '#status': 'status',
            '#result': 'result',
            '#attempt': 'attempt',
          },
          ExpressionAttributeValues: { ':succeeded': 'succeeded', ':expected': expectedAttempt },
        }),
      );
      return { claimed: true, record };
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
    }
    const item = await this.readActionItem(record);
    if (!item) throw neverClaimed(record);
    return { claimed: false, record: parseActionItem(item) };
  }

  /** Every action record of a release, by action and subject. */
  async listActions(releaseId: string): Promise<readonly ActionRecord[]> {
    const items = await this.queryAll(beginsWith(this.tableName, releasePk(releaseId), ACTION_SK_PREFIX));
    return items.map(parseActionItem);
  }

  /** The stored item of the action `record` names, read consistently; undefined when never claimed. */
  private async readActionItem(record: ActionRecord): Promise<Record<string, unknown> | undefined> {
    const out = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: actionKey(record.releaseId, record.action, record.subject),
        ConsistentRead: true,
      }),
    );
    return out.Item;
  }

  private async queryAll(input: QueryCommandInput): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let start: QueryCommandInput['ExclusiveStartKey'];
    do {
      const out = await this.client.send(new QueryCommand({ ...input, ExclusiveStartKey: start }));
      items.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey;
    } while (start);
    return items;
  }

  private async batchGetStates(keys: readonly ItemKey[]): Promise<ReleaseState[]> {
    const states: ReleaseState[] = [];
    let pending: Record<string, unknown>[] = keys.map((key) => ({
      [PARTITION_KEY]: key.pk,
      [SORT_KEY]: key.sk,
    }));
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** attempt)));
      const out = await this.client.send(
        new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: true } } }),
      );
      states.push(...(out.Responses?.[this.tableName] ?? []).map(parseReleaseItem));
      // Throttled keys come back unprocessed; ask again for those only.
      pending = out.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
    }
    return states;
  }
}

/** The error for finishing or re-claiming an action that was never claimed. */
function neverClaimed(record: ActionRecord, cause?: unknown): UnclaimedActionError {
  return new UnclaimedActionError(
    `action ${record.action} for ${record.subject} of release ${record.releaseId} was never claimed`,
    cause === undefined ? undefined : { cause },
  );
}

function notExists(): { ConditionExpression: string; ExpressionAttributeNames: Record<string, string> } {
  return {
    ConditionExpression: 'attribute_not_exists(#pk)',
    ExpressionAttributeNames: { '#pk': PARTITION_KEY },
  };
}

// The first revision creates the release; every later one must follow the stored revision exactly.
function revisionCondition(state: ReleaseState): {
  ConditionExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues?: Record<string, unknown>;
} {
  if (state.revision === 1) return notExists();
  return {
    ConditionExpression: '#revision = :previous',
    ExpressionAttributeNames: { '#revision': 'revision' },
    ExpressionAttributeValues: { ':previous': state.revision - 1 },
  };
}

function revisionIs(revision: number) {
  return {
    ConditionExpression: '#revision = :previous',
    ExpressionAttributeNames: { '#revision': 'revision' },
    ExpressionAttributeValues: { ':previous': revision },
  };
}

function beginsWith(tableName: string, pk: string, prefix: string): QueryCommandInput {
  return {
    TableName: tableName,
    KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
    ExpressionAttributeNames: { '#pk': PARTITION_KEY, '#sk': SORT_KEY },
    ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix },
    ConsistentRead: true,
  };
}
