/**
 * Errors of the local engine, named like the Step Functions API's own so callers written for
 * AWS (ingress, the gate function) catch the same names locally.
 */

/** A release already has an execution: the execution name is the release id (DESIGN.md §6). */
export class ExecutionAlreadyExistsError extends Error {
  override readonly name = 'ExecutionAlreadyExists';
}

/** No gate waits on this task token: it was answered, timed out, or its execution stopped. */
export class TaskDoesNotExistError extends Error {
  override readonly name = 'TaskDoesNotExist';
}

/** The definition uses something the local engine cannot run the way AWS would. */
export class UnsupportedDefinitionError extends Error {
  override readonly name = 'UnsupportedDefinition';
}
