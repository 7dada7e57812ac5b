import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ActionRecord } from '../../core/types/release.js';
import type { ActionClaim } from '../../ports.js';
import { notExists } from './conditions.js';
import { UnclaimedActionError } from './errors.js';
import { parseActionItem } from './item-parsers.js';
import { beginsWith, queryAll, type TableAccess } from './queries.js';
import { ACTION_SK_PREFIX, actionItem, actionKey, PARTITION_KEY, releasePk } from './table-layout.js';

/**
 * The action records of the release table: each action claimed with a conditional Put so it
 * happens at most once (DESIGN.md §4.3), finished in place, re-claimed only by one of two racers.
 */
export class DynamoActionRecords {
  constructor(private readonly table: TableAccess) {}

  /**
   * Records an action as started with a conditional Put, so it happens at most once (DESIGN.md §4.3).
   * When a record exists, returns it with `claimed: false`.
   */
  async claim(record: ActionRecord): Promise<ActionClaim> {
    const { client, tableName } = this.table;
    try {
      await client.send(new PutCommand({ TableName: tableName, Item: actionItem(record), ...notExists() }));
      return { claimed: true, record };
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
    }
    // Records are never deleted, so the one that won the race is there to read.
    return { claimed: false, record: parseActionItem(await this.readItem(record)) };
  }

  /**
   * Stores how a claimed action ended: status, finish time, result or error.
   * @throws UnclaimedActionError when the action was never claimed.
   */
  async finish(record: ActionRecord): Promise<void> {
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
      await this.table.client.send(
        new UpdateCommand({
          TableName: this.table.tableName,
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
   * @throws UnclaimedActionError when the action was never claimed.
   */
  async reclaim(record: ActionRecord, expectedAttempt: number): Promise<ActionClaim> {
    // Records written before attempts were counted are attempt 1.
    const attemptHolds =
      expectedAttempt === 1
        ? '(attribute_not_exists(#record.#result.#attempt) OR #record.#result.#attempt = :expected)'
        : '#record.#result.#attempt = :expected';
    try {
      await this.table.client.send(
        new PutCommand({
          TableName: this.table.tableName,
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
    const item = await this.readItem(record);
    if (!item) throw neverClaimed(record);
    return { claimed: false, record: parseActionItem(item) };
  }

  /** Every action record of a release, by action and subject. */
  async list(releaseId: string): Promise<readonly ActionRecord[]> {
    const items = await queryAll(
      this.table.client,
      beginsWith(this.table.tableName, releasePk(releaseId), ACTION_SK_PREFIX),
    );
    return items.map(parseActionItem);
  }

  /** The stored item of the action `record` names, read consistently; undefined when never claimed. */
  private async readItem(record: ActionRecord): Promise<Record<string, unknown> | undefined> {
    const out = await this.table.client.send(
      new GetCommand({
        TableName: this.table.tableName,
        Key: actionKey(record.releaseId, record.action, record.subject),
        ConsistentRead: true,
      }),
    );
    return out.Item;
  }
}

/** The error for finishing or re-claiming an action that was never claimed. */
function neverClaimed(record: ActionRecord, cause?: unknown): UnclaimedActionError {
  return new UnclaimedActionError(
    `action ${record.action} for ${record.subject} of release ${record.releaseId} was never claimed`,
    cause === undefined ? undefined : { cause },
  );
}
