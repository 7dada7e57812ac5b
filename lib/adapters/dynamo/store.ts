import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import type { ActionRecord, ReleaseState, TimelineEntry } from '../../core/types/release.js';
import {
  type ActionClaim,
  DuplicateDeliveryError,
  type ReleaseBatchCommit,
  type ReleaseCommit,
  type ReleaseStore,
} from '../../ports.js';
import { DynamoActionRecords } from './action-records.js';
import { notExists } from './conditions.js';
import { parseReleaseItem, parseReleaseKey, parseRouteItem, parseTimelineItem } from './item-parsers.js';
import { batchGetStates, beginsWith, queryAll, type TableAccess } from './queries.js';
import { batchTransaction, commitTransaction, type TransactItems } from './release-transactions.js';
import {
  deliveryItem,
  deliveryKey,
  GSI1_NAME,
  GSI1_PARTITION_KEY,
  PARTITION_KEY,
  RELEASES_PARTITION,
  releasePk,
  releaseStateKey,
  routePk,
  TIMELINE_SK_PREFIX,
} from './table-layout.js';
import { mapBatchCommitError, mapCommitError } from './transaction-errors.js';

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

/**
 * The release store on one DynamoDB table (layout in `table-layout.ts`). Every read is by key or
 * Query; each commit is one TransactWriteItems (built in `release-transactions.ts`), so a change to
 * a release is all or nothing. Action records live in `action-records.ts`.
 */
export class DynamoReleaseStore implements ReleaseStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly nowMs: () => number;
  private readonly table: TableAccess;
  private readonly actions: DynamoActionRecords;

  constructor(options: DynamoReleaseStoreOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.nowMs = options.nowMs ?? Date.now;
    this.table = { client: this.client, tableName: this.tableName };
    this.actions = new DynamoActionRecords(this.table);
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
    const items = await queryAll(this.client, {
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
    const { items, positions } = commitTransaction(this.tableName, commit, this.nowMs);
    await this.transact(items, (err) => mapCommitError(err, positions));
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
    const { items, positions } = batchTransaction(this.tableName, batch, this.nowMs);
    await this.transact(items, (err) => mapBatchCommitError(err, positions));
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
      await queryAll(this.client, {
        TableName: this.tableName,
        IndexName: GSI1_NAME,
        KeyConditionExpression: '#g = :g',
        ExpressionAttributeNames: { '#g': GSI1_PARTITION_KEY },
        ExpressionAttributeValues: { ':g': RELEASES_PARTITION },
      })
    ).map(parseReleaseKey);
    const byPk = new Map<string, ReleaseState>();
    for (const state of await batchGetStates(this.table, keys)) {
      byPk.set(releasePk(state.id), state);
    }
    // Batch get answers in no particular order; keep the index's order (creation time).
    return keys.flatMap((key) => byPk.get(key.pk) ?? []);
  }

  /** The release's timeline in the order its changes were committed. */
  async timeline(releaseId: string): Promise<readonly TimelineEntry[]> {
    const items = await queryAll(
      this.client,
      beginsWith(this.tableName, releasePk(releaseId), TIMELINE_SK_PREFIX),
    );
    return items.map(parseTimelineItem);
  }

  /**
   * Records an action as started with a conditional Put, so it happens at most once (DESIGN.md §4.3).
   * When a record exists, returns it with `claimed: false`.
   */
  claimAction(record: ActionRecord): Promise<ActionClaim> {
    return this.actions.claim(record);
  }

  /**
   * Stores how a claimed action ended: status, finish time, result or error.
   * @throws UnclaimedActionError when the action was never claimed.
   */
  finishAction(record: ActionRecord): Promise<void> {
    return this.actions.finish(record);
  }

  /**
   * Claims again an action whose earlier attempt failed or was cut off; of two concurrent
   * re-claims exactly one wins, the loser gets the record as stored with `claimed: false`.
   */
  reclaimAction(record: ActionRecord, expectedAttempt: number): Promise<ActionClaim> {
    return this.actions.reclaim(record, expectedAttempt);
  }

  /** Every action record of a release, by action and subject. */
  listActions(releaseId: string): Promise<readonly ActionRecord[]> {
    return this.actions.list(releaseId);
  }

  /** Sends one transaction; a failure is thrown as `mapError` names it (conflict, duplicate, ...). */
  private async transact(items: TransactItems, mapError: (err: unknown) => unknown): Promise<void> {
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (err) {
      throw mapError(err);
    }
  }
}
