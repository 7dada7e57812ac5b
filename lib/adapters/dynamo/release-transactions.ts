import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { ReleaseBatchCommit, ReleaseCommit } from '../../ports.js';
import { notExists, revisionCondition, revisionIs } from './conditions.js';
import { CommitTooLargeError, InvalidRevisionError } from './errors.js';
import {
  deliveryItem,
  deliveryKey,
  MAX_TRANSACTION_ITEMS,
  releaseItem,
  releaseStateKey,
  routeItem,
  routeKey,
  timelineItems,
} from './table-layout.js';
import type { BatchItemPositions, CommitItemPositions } from './transaction-errors.js';

/** The items of one TransactWriteItems. */
export type TransactItems = NonNullable<TransactWriteCommandInput['TransactItems']>;

/** A commit as one transaction, with where its conditioned items sit (to read cancellation reasons). */
export interface CommitTransaction {
  readonly items: TransactItems;
  readonly positions: CommitItemPositions;
}

/** A batch commit as one transaction, with where its conditioned items sit. */
export interface BatchTransaction {
  readonly items: TransactItems;
  readonly positions: BatchItemPositions;
}

/**
 * The transaction for one change to a release: the state (conditioned on the previous revision),
 * the delivery key (conditioned on being new), the timeline entries, the routing items added and dropped.
 * @throws InvalidRevisionError when the state's revision is not a whole number from 1.
 * @throws CommitTooLargeError when the commit needs more than 100 items.
 */
export function commitTransaction(
  tableName: string,
  commit: ReleaseCommit,
  nowMs: () => number,
): CommitTransaction {
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
    { Put: { TableName: tableName, Item: releaseItem(state), ...revisionCondition(state) } },
  ];
  if (commit.deliveryKey !== undefined) {
    items.push({
      Put: { TableName: tableName, Item: deliveryItem(commit.deliveryKey, nowMs()), ...notExists() },
    });
  }
  for (const item of timelineItems(state.id, state.revision, commit.timeline)) {
    items.push({ Put: { TableName: tableName, Item: item } });
  }
  for (const key of routingKeys) {
    items.push({ Put: { TableName: tableName, Item: routeItem(key, state.id) } });
  }
  // Keyed by this release: another release's route for the same key is untouched. Deleting an
  // absent item succeeds, so a key that was never written cannot block the commit.
  for (const key of dropped) {
    items.push({ Delete: { TableName: tableName, Key: routeKey(key, state.id) } });
  }
  return { items, positions };
}

/**
 * The transaction for a batch of deliveries to one release: the state once (or a check that its
 * revision did not move), each delivery conditioned on being new, each change's timeline under its
 * own revision, the new routing keys and those dropped.
 * @throws InvalidRevisionError when the base revision or the batch state's revision cannot follow.
 * @throws CommitTooLargeError when the batch needs more than 100 items.
 */
export function batchTransaction(
  tableName: string,
  batch: ReleaseBatchCommit,
  nowMs: () => number,
): BatchTransaction {
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
  const dropped = [...new Set(batch.droppedRoutingKeys ?? [])].filter((key) => !routingKeys.includes(key));
  const items: TransactItems = [];
  const deliveries = new Map<number, number>();
  const stateKey = releaseStateKey(releaseId);
  // Unchanged state is still checked, so a verdict of "nothing to change" was reached on the stored revision.
  const condition = baseRevision === 0 ? notExists() : revisionIs(baseRevision);
  items.push(
    state
      ? { Put: { TableName: tableName, Item: releaseItem(state), ...condition } }
      : { ConditionCheck: { TableName: tableName, Key: stateKey, ...condition } },
  );
  batch.deliveries.forEach((delivery, index) => {
    deliveries.set(items.length, index);
    items.push({ Put: { TableName: tableName, Item: deliveryItem(delivery.key, nowMs()), ...notExists() } });
    for (const absent of delivery.absentKeys ?? []) {
      deliveries.set(items.length, index);
      items.push({ ConditionCheck: { TableName: tableName, Key: deliveryKey(absent), ...notExists() } });
    }
  });
  for (const change of batch.timeline) {
    for (const item of timelineItems(releaseId, change.revision, change.entries)) {
      items.push({ Put: { TableName: tableName, Item: item } });
    }
  }
  for (const key of routingKeys) {
    items.push({ Put: { TableName: tableName, Item: routeItem(key, releaseId) } });
  }
  // Only this release's route for the key goes; deleting an absent item succeeds.
  for (const key of dropped) {
    items.push({ Delete: { TableName: tableName, Key: routeKey(key, releaseId) } });
  }
  if (items.length > MAX_TRANSACTION_ITEMS) {
    throw new CommitTooLargeError(
      `release ${releaseId}: batch needs ${items.length} items, one transaction holds ${MAX_TRANSACTION_ITEMS}`,
    );
  }
  return { items, positions: { releaseId, baseRevision, state: 0, deliveries } };
}
