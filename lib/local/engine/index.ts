/** The local workflow engine: the same ASL as AWS, run on the release clock. */
export { ExecutionAlreadyExistsError, TaskDoesNotExistError, UnsupportedDefinitionError } from './errors.js';
export type { ExecutionStatus, ExecutionStep, ExecutionView } from './execution.js';
export {
  type LocalHandlers,
  LocalWorkflow,
  type LocalWorkflowOptions,
  type StartOptions,
} from './local-workflow.js';
export type { PendingGate } from './task-tokens.js';
