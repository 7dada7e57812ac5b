import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { mapCommitError } from '../../../lib/adapters/dynamo/transaction-errors.js';
import { DuplicateDeliveryError, RevisionConflictError } from '../../../lib/ports.js';

/** A cancelled transaction as DynamoDB reports it: one reason per item, in item order. */
function cancelled(...codes: string[]): TransactionCanceledException {
  return new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });
}

const withDelivery = { releaseId: '42-7', revision: 3, state: 0, delivery: 1 };
const withoutDelivery = { releaseId: '42-7', revision: 3, state: 0 };

describe('mapCommitError', () => {
  it('calls a failed revision check a revision conflict, so the caller reads again', () => {
    const err = mapCommitError(cancelled('ConditionalCheckFailed', 'None', 'None'), withDelivery);
    expect(err).toBeInstanceOf(RevisionConflictError);
    expect(err).toMatchObject({ message: expect.stringContaining('42-7') });
  });

  it('calls a failed delivery check a duplicate delivery, even when the revision also moved on', () => {
    expect(mapCommitError(cancelled('None', 'ConditionalCheckFailed'), withDelivery)).toBeInstanceOf(
      DuplicateDeliveryError,
    );
    expect(
      mapCommitError(cancelled('ConditionalCheckFailed', 'ConditionalCheckFailed'), withDelivery),
    ).toBeInstanceOf(DuplicateDeliveryError);
  });

  it('treats an item caught in another writer’s transaction as a conflict worth retrying', () => {
    expect(mapCommitError(cancelled('None', 'TransactionConflict'), withDelivery)).toBeInstanceOf(
      RevisionConflictError,
    );
    expect(mapCommitError(cancelled('TransactionConflict'), withoutDelivery)).toBeInstanceOf(
      RevisionConflictError,
    );
  });

  it('passes any other failure through unchanged', () => {
    const throttled = cancelled('ThrottlingError', 'None');
    expect(mapCommitError(throttled, withDelivery)).toBe(throttled);
    const network = new Error('socket hang up');
    expect(mapCommitError(network, withDelivery)).toBe(network);
  });
});
