import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DuplicateDeliveryError, RevisionConflictError } from '../../ports.js';

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
