import {
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import type { Workflow } from '../../ports.js';

/** Where the release state machine lives. */
export interface StepFunctionsWorkflowOptions {
  /** ARN of the security release state machine. */
  readonly stateMachineArn: string;
  /** A client to reuse (Lambda keeps it across invocations); one is created when absent. */
  readonly client?: SFNClient;
}

/**
 * Errors that mean the work was already done: the execution exists (the release started
 * before), or the gate's task is gone (opened by an earlier delivery, or timed out and the
 * machine is waiting again with a fresh token). Retrying them can never help.
 */
const ALREADY_DONE = new Set(['ExecutionAlreadyExists', 'TaskDoesNotExist', 'TaskTimedOut']);
const ALREADY_STOPPED = new Set(['ExecutionDoesNotExist']);

function errorName(err: unknown): string | undefined {
  return err instanceof Error ? err.name : undefined;
}

/** Builds the ARN of a release's execution; the execution name is the release id (DESIGN.md §6). */
export function executionArn(stateMachineArn: string, releaseId: string): string {
  // arn:aws:states:<region>:<account>:stateMachine:<name> → ...:execution:<name>:<releaseId>
  const parts = stateMachineArn.split(':');
  if (parts.length < 7 || parts[5] !== 'stateMachine') {
    throw new Error('not a state machine ARN');
  }
  return [...parts.slice(0, 5), 'execution', parts[6], releaseId].join(':');
}

/** The {@link Workflow} port on AWS Step Functions (Standard). Calls are idempotent for secrel's purposes. */
export class StepFunctionsWorkflow implements Workflow {
  readonly #client: SFNClient;
  readonly #stateMachineArn: string;

  constructor(options: StepFunctionsWorkflowOptions) {
    this.#client = options.client ?? new SFNClient({});
    this.#stateMachineArn = options.stateMachineArn;
  }

  async start(releaseId: string, input: Readonly<Record<string, unknown>>): Promise<void> {
    await this.#tolerate(ALREADY_DONE, () =>
      this.#client.send(
        new StartExecutionCommand({
          stateMachineArn: this.#stateMachineArn,
          name: releaseId,
          input: JSON.stringify(input),
        }),
      ),
    );
  }

  async sendTaskSuccess(token: string, output: Readonly<Record<string, unknown>>): Promise<void> {
    await this.#tolerate(ALREADY_DONE, () =>
      this.#client.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify(output) })),
    );
  }

  async sendTaskFailure(token: string, error: string, cause: string): Promise<void> {
    await this.#tolerate(ALREADY_DONE, () =>
      this.#client.send(new SendTaskFailureCommand({ taskToken: token, error, cause })),
    );
  }

  async stop(releaseId: string, reason: string): Promise<void> {
    await this.#tolerate(ALREADY_STOPPED, () =>
      this.#client.send(
        new StopExecutionCommand({
          executionArn: executionArn(this.#stateMachineArn, releaseId),
          cause: reason,
        }),
      ),
    );
  }

  async #tolerate(names: ReadonlySet<string>, call: () => Promise<unknown>): Promise<void> {
    try {
      await call();
    } catch (err) {
      const name = errorName(err);
      if (name && names.has(name)) return;
      throw err;
    }
  }
}
