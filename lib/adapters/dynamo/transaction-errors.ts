import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DuplicateDeliveriesError, DuplicateDeliveryError, RevisionConflictError } from '../../ports.js';

/** Where, in one commit's transaction, the items whose conditions matter sit. */
export interface CommitItemPositions {
  readonly releaseId: string;
  readonly revision: number;
  /** Index of the release state Put. */
  readonly state: number;
  /** Index of the delivery Put, when the commit records one. */
  readonly delivery?: number;
}

/**
 * Turns a cancelled commit into the error the caller can act on. A failed delivery condition wins:
 * the event was already processed, so retrying would only find it again. A failed revision
 * condition, or any item caught in another transaction (`TransactionConflict`), means "read again
 * and retry". Anything else (validation, throttling) passes through unchanged.
 */
export function mapCommitError(err: unknown, at: CommitItemPositions): unknown {
  if (!(err instanceof TransactionCanceledException)) return err;
  const codes = (err.CancellationReasons ?? []).map((reason) => reason.Code ?? 'None');
  if (at.delivery !== undefined && codes[at.delivery] === 'ConditionalCheckFailed') {
    return new DuplicateDeliveryError(`delivery already recorded (release ${at.releaseId})`, { cause: err });
  }
  if (codes[at.state] === 'ConditionalCheckFailed') {
    return new RevisionConflictError(
      `release ${at.releaseId} changed before revision ${at.revision} was written`,
      { cause: err },
    );
  }
  if (codes.includes('TransactionConflict')) {
    return new RevisionConflictError(`release ${at.releaseId} is being changed by another writer`, {
      cause: err,
    });
  }
  return err;
}

/** Where, in one batch commit's transaction, the items whose conditions matter sit. */
export interface BatchItemPositions {
  readonly releaseId: string;
  readonly baseRevision: number;
  /** Index of the release state Put or ConditionCheck. */
  readonly state: number;
  /** For each transaction item that guards a delivery, the delivery's position in the batch. */
  readonly deliveries: ReadonlyMap<number, number>;
}

/**
 * Turns a cancelled batch commit into the error the caller can act on. Deliveries whose condition
 * failed are named (they are final: delivery records are never removed before their TTL), so the
 * caller can answer those as duplicates and commit the rest. Otherwise as {@link mapCommitError}.
 */
export function mapBatchCommitError(err: unknown, at: BatchItemPositions): unknown {
  if (!(err instanceof TransactionCanceledException)) return err;
  const codes = (err.CancellationReasons ?? []).map((reason) => reason.Code ?? 'None');
  const seen = new Set<number>();
  codes.forEach((code, index) => {
    const delivery = at.deliveries.get(index);
    if (code === 'ConditionalCheckFailed' && delivery !== undefined) seen.add(delivery);
  });
  if (seen.size > 0) {
    return new DuplicateDeliveriesError(
      `${seen.size} deliveries already recorded (release ${at.releaseId})`,
      [...seen].sort((a, b) => a - b),
      { cause: err },
    );
  }
  if (codes[at.state] === 'ConditionalCheckFailed' || codes.includes('TransactionConflict')) {
    return new RevisionConflictError(
      `release ${at.releaseId} moved from revision ${at.baseRevision} before the batch was written`,
      { cause: err },
    );
  }
  return err;
}
