/** Raised when a commit would need more items than one DynamoDB transaction can hold (100). */
export class CommitTooLargeError extends Error {
  override readonly name = 'CommitTooLargeError';
}

/** Raised when a commit's revision cannot follow any stored revision (below 1 or not an integer). */
export class InvalidRevisionError extends Error {
  override readonly name = 'InvalidRevisionError';
}

/** Raised when an action is finished that was never claimed. */
export class UnclaimedActionError extends Error {
  override readonly name = 'UnclaimedActionError';
}
