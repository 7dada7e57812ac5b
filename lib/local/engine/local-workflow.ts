import '../polyfills.js';
import { type RunOptions, StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { DateTime } from 'luxon';
import * as z from 'zod';
import {
  type ActionRequest,
  actionRequestSchema,
  type GateRequest,
  gateRequestSchema,
} from '../../core/types/workflow.js';
import { GateTimeoutError } from '../../core/workflow-steps.js';
import type { Workflow } from '../../ports.js';
import type { ReleaseClock } from '../clock.js';
import {
  DEFAULT_DEFINITION_PATH,
  type Json,
  type JsonObject,
  LOCAL_TIMEOUT_FIELD,
  type LocalizedDefinition,
  type LocalTask,
  loadDefinition,
  localizeDefinition,
} from './definition.js';
import { ExecutionAlreadyExistsError } from './errors.js';
import { type EngineEvent, ExecutionTracker, type ExecutionView } from './execution.js';
import { type PendingGate, TaskTokens } from './task-tokens.js';

/**
 * The local Step Functions (DESIGN.md §8, §9): runs the same ASL file AWS runs with
 * aws-local-stepfunctions 3.0.0, on the release clock, calling the handlers it is given where AWS
 * would invoke the actions and gate functions.
 */

/** The two functions the state machine calls, as local functions. */
export interface LocalHandlers {
  /** The actions function: performs one step; its answer becomes the invoke result's `Payload`. */
  actions(request: ActionRequest): Promise<unknown>;
  /** The gate function: stores the token, and may call `sendTaskSuccess` at once when the gate holds. */
  gate(request: GateRequest): Promise<void>;
}

/** Options for {@link LocalWorkflow}. */
export interface LocalWorkflowOptions {
  readonly handlers: LocalHandlers;
  readonly clock: ReleaseClock;
  /** The ASL file; `statemachines/security-release.asl.json` when absent. */
  readonly definitionPath?: string;
  /** A definition already in memory (a team playbook's machine from the builder); wins over the path. */
  readonly definition?: JsonObject;
  /**
   * Re-drive an execution that failed (not a failed publication, which must stop) after these real
   * delays, one per consecutive failure: the local counterpart of the AWS re-drive on failed
   * executions. Idempotent handlers make a re-drive repeat no action. Off when absent.
   */
  readonly redriveFailedAfterMs?: readonly number[];
  /**
   * Called once a re-drive runs, like local mode's resume after a restart: what webhooks said
   * while the release's steps were failing (storage down) may be lost and is read back here.
   */
  readonly onRedriven?: (releaseId: string) => Promise<void>;
}

/** A failed publication stops the release for people to decide; nothing re-drives it. */
const NEVER_REDRIVEN = 'Publish.Failed';

/** Options for {@link LocalWorkflow.start}. */
export interface StartOptions {
  /**
   * Start again from the top after a restart or a failure. The engine cannot resume mid-run, so
   * this relies on idempotent handlers: actions read their records, open gates answer at once,
   * and waits whose time has passed return at once.
   */
  readonly redrive?: boolean;
}

type LocalHandler = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>[string];
type RunInput = Parameters<StateMachine['run']>[0];

interface Execution {
  readonly tracker: ExecutionTracker;
  readonly controller: AbortController;
  readonly abort: () => void;
  readonly settled: Promise<ExecutionView>;
  stopping: boolean;
}

const taskInputSchema = z.looseObject({
  Payload: z.unknown().optional(),
  [LOCAL_TIMEOUT_FIELD]: z.number().int().min(1).optional(),
});
const waitInputSchema = z.object({
  until: z.iso.datetime({ offset: true }).optional(),
  seconds: z.number().min(0).optional(),
});

/** Runs releases' executions in this process; implements the {@link Workflow} port. */
export class LocalWorkflow implements Workflow {
  private readonly handlers: LocalHandlers;
  private readonly clock: ReleaseClock;
  private readonly localized: LocalizedDefinition;
  private readonly tokens = new TaskTokens();
  private readonly executions = new Map<string, Execution>();
  private readonly redriveDelays: readonly number[];
  private readonly redrives = new Map<string, number>();
  private readonly redriveTimers = new Map<string, NodeJS.Timeout>();
  private readonly onRedriven: (releaseId: string) => Promise<void>;

  constructor(options: LocalWorkflowOptions) {
    this.handlers = options.handlers;
    this.clock = options.clock;
    this.redriveDelays = options.redriveFailedAfterMs ?? [];
    this.onRedriven = options.onRedriven ?? (async () => undefined);
    this.localized = localizeDefinition(
      options.definition ?? loadDefinition(options.definitionPath ?? DEFAULT_DEFINITION_PATH),
    );
  }

  /**
   * Starts the release's execution and returns once it runs. Refused while one runs, and, like
   * an execution name on AWS, refused after one ran unless `redrive` is set.
   */
  async start(
    releaseId: string,
    input: Readonly<Record<string, unknown>>,
    options: StartOptions = {},
  ): Promise<void> {
    const previous = this.executions.get(releaseId);
    if (previous?.tracker.running) {
      throw new ExecutionAlreadyExistsError(`release ${releaseId} already has a running execution`);
    }
    if (previous && !options.redrive) {
      throw new ExecutionAlreadyExistsError(
        `release ${releaseId} already ran; start it with redrive to run it again`,
      );
    }
    const run = (previous?.tracker.run ?? 0) + 1;
    const runInput = z.json().parse({ ...input, releaseId }) as RunInput;
    const tracker = new ExecutionTracker(releaseId, run, this.isoNow(), (ms) => this.clock.fromReal(ms));
    const controller = new AbortController();
    // The ASL is validated by asl-validator in its test; the rewrite keeps its shape.
    const machine = new StateMachine(this.localized.definition as unknown as StateMachineDefinition, {
      validationOptions: { noValidate: true },
    });
    const execution = machine.run(runInput, {
      noThrowOnAbort: true,
      context: { Execution: { Id: `local:${releaseId}:${run}`, Name: releaseId } },
      overrides: {
        taskResourceLocalHandlers: this.localHandlers(releaseId, controller.signal),
        retryIntervalOverrides: this.retryIntervals(),
      },
    });
    const outcome = execution.result.then(
      () => undefined,
      (error: unknown) => error,
    );
    const drained = (async () => {
      for await (const event of execution.eventLogs) tracker.record(event as EngineEvent);
    })();
    const record: Execution = {
      tracker,
      controller,
      abort: execution.abort,
      stopping: false,
      settled: Promise.all([outcome, drained]).then(([error]) => {
        if (record.stopping)
          tracker.finish('aborted', this.clock.now(), { error: 'Aborted', cause: 'execution stopped' });
        else if (error === undefined) tracker.finish('succeeded', this.clock.now());
        else tracker.finish('failed', this.clock.now(), describeFailure(error));
        controller.abort(new Error('execution ended'));
        // Branches still waiting when another failed end with the run: their tokens must not linger
        // beside the re-driven run's (the dashboard would list stale gates).
        this.tokens.cancelRelease(releaseId, endedError());
        const view = tracker.view();
        if (view.status === 'succeeded') this.redrives.delete(releaseId);
        if (view.status === 'failed' && view.error?.error !== NEVER_REDRIVEN)
          this.redriveLater(releaseId, input);
        return view;
      }),
    };
    this.executions.set(releaseId, record);
  }

  /** Schedules the re-drive of a failed execution, if re-drives are on and not used up. */
  private redriveLater(releaseId: string, input: Readonly<Record<string, unknown>>): void {
    const count = this.redrives.get(releaseId) ?? 0;
    const delay = this.redriveDelays[count];
    if (delay === undefined) return;
    this.redrives.set(releaseId, count + 1);
    const timer = setTimeout(() => {
      this.redriveTimers.delete(releaseId);
      this.start(releaseId, input, { redrive: true })
        .then(() => this.onRedriven(releaseId))
        .catch(() => undefined);
    }, delay);
    timer.unref();
    this.redriveTimers.set(releaseId, timer);
  }

  /** Cancels every pending re-drive (local mode stopping). */
  cancelRedrives(): void {
    for (const timer of this.redriveTimers.values()) clearTimeout(timer);
    this.redriveTimers.clear();
  }

  /** Times re-drives of failed executions were started for a release (reset when one succeeds). */
  redriveCount(releaseId: string): number {
    return this.redrives.get(releaseId) ?? 0;
  }

  /** `SendTaskSuccess`: the gate holding this token opens with `output` as its result. */
  async sendTaskSuccess(token: string, output: Readonly<Record<string, unknown>>): Promise<void> {
    // AWS serializes the output; doing the same keeps locally only what AWS would keep.
    this.tokens.succeed(token, toJson(output));
  }

  /** `SendTaskFailure`: the gate fails with `error` as its name (`Pipeline.Failed`). */
  async sendTaskFailure(token: string, error: string, cause: string): Promise<void> {
    this.tokens.fail(token, error, cause);
  }

  /** Stops the release's execution (`/secrel abort`); resolves once it has stopped. */
  async stop(releaseId: string, _reason: string): Promise<void> {
    const timer = this.redriveTimers.get(releaseId);
    if (timer) clearTimeout(timer);
    this.redriveTimers.delete(releaseId);
    const execution = this.executions.get(releaseId);
    if (!execution?.tracker.running) return;
    execution.stopping = true;
    const stopped = new Error('execution stopped');
    stopped.name = 'AbortError';
    execution.controller.abort(stopped);
    this.tokens.cancelRelease(releaseId, stopped);
    execution.abort();
    await execution.settled;
  }

  /** The release's execution as the dashboard shows it, or undefined when it never started. */
  describe(releaseId: string): ExecutionView | undefined {
    return this.executions.get(releaseId)?.tracker.view();
  }

  /** Every execution this engine ran, latest run per release. */
  list(): readonly ExecutionView[] {
    return [...this.executions.values()].map((e) => e.tracker.view());
  }

  /** Resolves with the final view once the release's current execution has ended. */
  async settled(releaseId: string): Promise<ExecutionView> {
    const execution = this.executions.get(releaseId);
    if (!execution) throw new Error(`release ${releaseId} has no execution`);
    return execution.settled;
  }

  /** Gates waiting for their token now (never the tokens themselves). */
  pendingGates(releaseId?: string): readonly PendingGate[] {
    return this.tokens.pending(releaseId);
  }

  private localHandlers(releaseId: string, signal: AbortSignal): Record<string, LocalHandler> {
    const handlers: Record<string, LocalHandler> = {};
    for (const [state, task] of this.localized.tasks) {
      handlers[state] = (input) => this.runTask(releaseId, state, task, input, signal);
    }
    return handlers;
  }

  private async runTask(
    releaseId: string,
    state: string,
    task: LocalTask,
    input: Json,
    signal: AbortSignal,
  ): Promise<Json> {
    if (task.kind === 'wait') {
      const wait = waitInputSchema.parse(input);
      if (wait.until !== undefined) await this.clock.sleepUntil(DateTime.fromISO(wait.until), signal);
      else await this.clock.sleep(wait.seconds ?? 0, signal);
      return {};
    }
    const parsed = taskInputSchema.parse(input);
    const timeoutSeconds = parsed[LOCAL_TIMEOUT_FIELD];
    if (task.kind === 'gate') {
      const payload = z.record(z.string(), z.unknown()).parse(parsed.Payload ?? {});
      return this.waitForToken(releaseId, state, task.tokenField, payload, timeoutSeconds, signal);
    }
    const answer = await this.withTimeout(
      task.fn === 'actions'
        ? this.handlers.actions(actionRequestSchema.parse(parsed.Payload))
        : this.handlers.gate(gateRequestSchema.parse(parsed.Payload)),
      state,
      timeoutSeconds,
      signal,
    );
    // The shape lambda:invoke answers with; the ASL's ResultSelector reads `$.Payload`.
    return { Payload: answer === undefined ? null : toJson(answer), StatusCode: 200 };
  }

  /** A gate: mint a token, hand it to the gate function, wait for its answer or the timeout. */
  private async waitForToken(
    releaseId: string,
    state: string,
    tokenField: string,
    payload: Record<string, unknown>,
    timeoutSeconds: number | undefined,
    signal: AbortSignal,
  ): Promise<Json> {
    signal.throwIfAborted();
    const now = this.clock.now();
    const timeoutAt = timeoutSeconds === undefined ? undefined : now.plus({ seconds: timeoutSeconds });
    const gate = typeof payload.gate === 'string' ? payload.gate : state;
    const { token, answer } = this.tokens.open({ releaseId, gate, state, since: now, timeoutAt });
    // The timeout may settle the answer while the gate function still runs; it is awaited below.
    answer.catch(() => undefined);
    const timer = new AbortController();
    if (timeoutAt) {
      this.clock.sleepUntil(timeoutAt, AbortSignal.any([timer.signal, signal])).then(
        () => this.tokens.cancel(token, new GateTimeoutError(`gate ${gate} reached its cutoff`)),
        () => undefined,
      );
    }
    try {
      await this.handlers.gate(gateRequestSchema.parse({ ...payload, [tokenField]: token }));
    } catch (error) {
      this.tokens.cancel(token, asError(error));
    }
    try {
      return toJson(await answer);
    } finally {
      timer.abort();
    }
  }

  /** A task's own timeout, on the release clock (the library's real-time timer is lifted). */
  private async withTimeout<T>(
    work: Promise<T>,
    state: string,
    timeoutSeconds: number | undefined,
    signal: AbortSignal,
  ): Promise<T> {
    if (timeoutSeconds === undefined) return work;
    const timer = new AbortController();
    const timeout = this.clock
      .sleep(timeoutSeconds, AbortSignal.any([timer.signal, signal]))
      .then((): never => {
        throw new GateTimeoutError(`${state} timed out`);
      });
    timeout.catch(() => undefined);
    try {
      return await Promise.race([work, timeout]);
    } finally {
      timer.abort();
    }
  }

  /** Retry intervals compressed to release time; the library then waits a fixed interval, no backoff. */
  private retryIntervals(): Record<string, number[]> | undefined {
    if (this.clock.speed <= 1) return undefined;
    const overrides: Record<string, number[]> = {};
    for (const [state, intervals] of this.localized.retryIntervals) {
      overrides[state] = intervals.map((seconds) => (seconds * 1000) / this.clock.speed);
    }
    return overrides;
  }

  private isoNow(): string {
    return this.clock.now().toISO() ?? '';
  }
}

/** What a value becomes after the JSON round trip AWS puts every payload through. */
function toJson(value: unknown): Json {
  return z.json().parse(JSON.parse(JSON.stringify(value ?? null)));
}

/** The reason a token of an ended run is cancelled. */
function endedError(): Error {
  const ended = new Error('execution ended');
  ended.name = 'AbortError';
  return ended;
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/** Error name and cause of a failed execution; ExecutionError wraps the state's error. */
function describeFailure(error: unknown): { error: string; cause: string } {
  const inner = error instanceof Error && error.cause instanceof Error ? error.cause : asError(error);
  return { error: inner.name, cause: inner.message };
}
