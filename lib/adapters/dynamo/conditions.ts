import type { ReleaseState } from '../../core/types/release.js';
import { PARTITION_KEY } from './table-layout.js';

/** A condition expression with the names (and values) it uses, spread into a Put, Delete or ConditionCheck. */
export interface ItemCondition {
  readonly ConditionExpression: string;
  readonly ExpressionAttributeNames: Record<string, string>;
  readonly ExpressionAttributeValues?: Record<string, unknown>;
}

/** Holds while no item has the key: a first write, a new delivery, a new action record. */
export function notExists(): ItemCondition {
  return {
    ConditionExpression: 'attribute_not_exists(#pk)',
    ExpressionAttributeNames: { '#pk': PARTITION_KEY },
  };
}

/** Holds while the stored release is at exactly `revision`. */
export function revisionIs(revision: number): ItemCondition {
  return {
    ConditionExpression: '#revision = :previous',
    ExpressionAttributeNames: { '#revision': 'revision' },
    ExpressionAttributeValues: { ':previous': revision },
  };
}

/** The condition for writing `state`: the first revision creates the release, every later one must follow the stored revision exactly. */
export function revisionCondition(state: ReleaseState): ItemCondition {
  if (state.revision === 1) return notExists();
  return revisionIs(state.revision - 1);
}
