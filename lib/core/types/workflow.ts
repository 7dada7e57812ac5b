import * as z from 'zod';
import { ACTION_KINDS, PHASE_ID_PATTERN, type PhaseId, ROLES } from './playbook.js';
import type { Effect } from './release.js';

/**
 * The step protocol between the state machine (`statemachines/security-release.asl.json`) and
 * its two functions: the actions function (`${ActionsFunctionArn}`) does one step and answers
 * with ids and timestamps; the gate function (`${GateFunctionArn}`) stores a task token that
 * ingress releases when the gate holds. DynamoDB is the source of truth: nothing here carries
 * confidential text.
 */

/**
 * The CDK app's `definitionSubstitutions` for the ASL: the only placeholders in it, each the ARN of
 * one of the two functions the state machine calls.
 */
export const DEFINITION_SUBSTITUTIONS = {
  actions: 'ActionsFunctionArn',
  gate: 'GateFunctionArn',
} as const;

/** Error names the state machine's Retry/Catch match. Handlers throw errors with these `name`s. */
export const WORKFLOW_ERRORS = {
  /** Worth retrying: a throttle, a 5xx, a lost connection. */
  transient: 'Action.Transient',
  /** Retrying will not help: publication stops and nothing is disclosed. */
  failed: 'Action.Failed',
  /** A pipeline secrel started failed or was cancelled; sent as the gate's task failure. */
  pipelineFailed: 'Pipeline.Failed',
  /** A gate reached its cutoff; the machine escalates and waits again. */
  timeout: 'States.Timeout',
  /** `/secrel retry <task>`: the step that failed for good runs again (sent as the recovery gate's failure). */
  retry: 'Step.Retry',
  /** The schedule moved (`/secrel slip`, a new `/secrel start`) while a gate waited: recompute its timing. */
  scheduleMoved: 'Schedule.Moved',
} as const;

/** An error name from {@link WORKFLOW_ERRORS}. */
export type WorkflowErrorName = (typeof WORKFLOW_ERRORS)[keyof typeof WORKFLOW_ERRORS];

/** Task key as the release core spells it: `request-cve`, `build-packages@17.5`. */
const taskKeyPattern = /^[a-z0-9][a-z0-9-]*(@[0-9A-Za-z.-]+)?$/;

/** Gate ids: what the release core evaluates before the machine may go on. */
export type GateId =
  | 'schedule-confirmed'
  | 'publish'
  | 'disclose'
  | `phase:${PhaseId}`
  | `pipeline:${string}`
  | `merged:${string}`
  | `start:${PhaseId}`
  | `recover:${string}`;

/** Schema of a gate id (`phase:day-one`, `pipeline:build-packages@17.5`, `merged:17.5`, `publish`, ...). */
export const gateIdSchema = z.union([
  z.enum(['schedule-confirmed', 'publish', 'disclose']),
  z
    .templateLiteral(['phase:', z.string()])
    .refine((gate) => PHASE_ID_PATTERN.test(gate.slice('phase:'.length)), 'phase gate needs a phase id'),
  z
    .templateLiteral(['recover:', z.string()])
    .refine((gate) => taskKeyPattern.test(gate.slice('recover:'.length)), 'recover gate needs a task key'),
  z
    .templateLiteral(['start:', z.string()])
    .refine((gate) => PHASE_ID_PATTERN.test(gate.slice('start:'.length)), 'start gate needs a phase id'),
  z
    .templateLiteral(['merged:', z.string()])
    .refine((gate) => /^[0-9]+\.[0-9]+$/.test(gate.slice('merged:'.length)), 'merged gate needs a version'),
  z
    .templateLiteral(['pipeline:', z.string()])
    .refine((gate) => taskKeyPattern.test(gate.slice('pipeline:'.length)), 'pipeline gate needs a task key'),
]);

const releaseId = z.string().regex(/^[0-9]+-[0-9]+$/, 'release id is <projectId>-<iid>');
const version = z.string().regex(/^[0-9]+\.[0-9]+$/, 'affected version is major.minor');

/** Schema of one request the state machine sends the actions function. */
export const actionRequestSchema = z.discriminatedUnion('step', [
  /** Perform one automated action of the playbook (at most once per release and version). */
  z.object({
    releaseId,
    step: z.literal('action'),
    task: z.enum(ACTION_KINDS),
    version: version.optional(),
  }),
  /** Mention the phase's owners once, with their tasks and cutoffs. */
  z.object({ releaseId, step: z.literal('tell-owners'), phase: z.string().regex(PHASE_ID_PATTERN) }),
  /** Read the release's schedule (Day one + slip) and affected versions. */
  z.object({ releaseId, step: z.literal('schedule') }),
  /** The cutoff and reminder time of a gate, as seconds from now. */
  z.object({ releaseId, step: z.literal('deadlines'), gate: gateIdSchema }),
  /** Remind owners of open tasks, two hours before the gate's cutoff. */
  z.object({ releaseId, step: z.literal('remind'), gate: gateIdSchema }),
  /** A gate's cutoff passed: tell owners, the security lead and the release managers what is late. */
  z.object({ releaseId, step: z.literal('escalate'), gate: gateIdSchema }),
  /** Ask the owners of a manual task to do it now (the CVE notice after disclosure). */
  z.object({ releaseId, step: z.literal('ask-owners'), task: z.string().regex(taskKeyPattern) }),
  /**
   * An automated step failed for good: tell its owners once what failed (the error name, nothing
   * confidential) and how to go on; answers the recovery gate's timing.
   */
  z.object({
    releaseId,
    step: z.literal('step-failed'),
    task: z.string().regex(taskKeyPattern),
    error: z.string().min(1),
  }),
  /** Every phase is over (Afterwards included): the release is completed and stops listening to its projects. */
  z.object({ releaseId, step: z.literal('complete') }),
  /** A publish action failed for good: tell the release managers; nothing will be disclosed. */
  z.object({ releaseId, step: z.literal('publish-failed'), error: z.string().min(1) }),
]);

/** One request from the state machine to the actions function. */
export type ActionRequest = z.infer<typeof actionRequestSchema>;

/** One effect ingress hands to the actions function: one of the release core's own effects. */
export type DeliverableEffect = Extract<Effect, { type: 'reply' | 'notify' | 'describe' | 'check-setup' }>;

/**
 * Schema of the effects ingress defers to the actions function on AWS: a reply on a GitLab issue, or a notice
 * for channels outside GitLab. The reply body is the comment ingress would post itself (a command
 * answer on the release issue); notice messages are written free of confidential detail.
 */
export const deliverableEffectSchema: z.ZodType<DeliverableEffect> = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('reply'),
    issue: z.object({
      projectId: z.number().int().positive(),
      iid: z.number().int().positive(),
      url: z.string().optional(),
    }),
    body: z.string().min(1),
  }),
  z.object({ type: z.literal('notify'), roles: z.array(z.enum(ROLES)), message: z.string().min(1) }),
  z.object({ type: z.literal('describe') }),
  z.object({
    type: z.literal('check-setup'),
    issue: z.object({
      projectId: z.number().int().positive(),
      iid: z.number().int().positive(),
      url: z.string().optional(),
    }),
    projectIds: z.array(z.number().int().positive()).min(1),
  }),
]);

/**
 * Schema of the request ingress sends the actions function with an asynchronous Invoke: perform
 * these effects of a change already committed to the release. Not a state machine step.
 */
export const deliverEffectsRequestSchema = z.object({
  releaseId,
  step: z.literal('deliver-effects'),
  effects: z.array(deliverableEffectSchema).min(1),
});

/** Ingress's request to the actions function to send replies and notices after it answered GitLab. */
export interface DeliverEffectsRequest {
  readonly releaseId: string;
  readonly step: 'deliver-effects';
  readonly effects: readonly DeliverableEffect[];
}

/** The step kinds of {@link ActionRequest}. */
export type StepKind = ActionRequest['step'];

/** Schema of the gate function's request; `token` is the Step Functions task token. */
export const gateRequestSchema = z.object({
  releaseId,
  gate: gateIdSchema,
  token: z.string().min(1),
});

/** What the gate function receives: store the token, send task success at once if the gate holds. */
export type GateRequest = z.infer<typeof gateRequestSchema>;

/** ISO 8601 UTC timestamp with `Z`, as the ASL's Wait and Choice states compare them. */
export type IsoTimestamp = string;

/** Keys of {@link ScheduleResponse.phases}: the phase id in camelCase, so JSONPath needs no brackets. */
export type ScheduleKey = string;

/** One phase of the schedule: when it opens (null for First steps) and its cutoff. */
export interface PhaseTimes {
  readonly start: IsoTimestamp | null;
  readonly cutoff: IsoTimestamp;
}

/**
 * Answer to `schedule`. `now` is the release clock's now, so the machine can tell whether a slip
 * moved the phase it just waited for (Choice `TimestampGreaterThanPath`).
 */
export interface ScheduleResponse {
  readonly now: IsoTimestamp;
  /** Affected versions, newest first; the publish and build fan-outs map over them. */
  readonly versions: readonly string[];
  readonly phases: Readonly<Record<ScheduleKey, PhaseTimes>>;
}

/**
 * When a gate next times out. Used as `TimeoutSecondsPath`, so seconds are a whole number ≥ 1
 * (Step Functions refuses 0). Answer to `remind` and `escalate` (for `escalate`, `cutoff` is the
 * moment of the next escalation).
 */
export interface GateTiming {
  readonly cutoff: IsoTimestamp;
  readonly secondsToCutoff: number;
}

/** Answer to `deadlines`: the gate's cutoff and the reminder two hours before it. */
export interface DeadlinesResponse extends GateTiming {
  /** Seconds to the reminder, ≥ 1; when the reminder time has passed, 1. */
  readonly secondsToReminder: number;
}

/**
 * How an automated action ended this time. `interrupted`: an earlier attempt was cut off mid-call
 * and the call is not safe to repeat, so a person is asked to check (the task stays open).
 */
export type ActionOutcome = 'done' | 'already-done' | 'skipped' | 'pipeline-started' | 'interrupted';

/**
 * Answer to `action`. `secondsToCutoff` (to the cutoff of the task's phase, ≥ 1) times the
 * `pipeline:<taskKey>` gate that follows a pipeline trigger. When no pipeline was started
 * (`skipped`, `done`), that gate must hold at once.
 */
export interface ActionResponse {
  readonly task: string;
  readonly version?: string;
  readonly outcome: ActionOutcome;
  readonly pipelineId?: number;
  readonly secondsToCutoff: number;
}

/** Answer to steps whose result the machine discards (`tell-owners`, `ask-owners`, `publish-failed`). */
export interface StepAck {
  readonly ok: true;
}

/** What each step kind answers. */
export interface StepResponses {
  readonly action: ActionResponse;
  /** The phase's own gate timing, so the phase branch waits on it next. */
  readonly 'tell-owners': DeadlinesResponse;
  readonly schedule: ScheduleResponse;
  readonly deadlines: DeadlinesResponse;
  readonly remind: GateTiming;
  readonly escalate: GateTiming;
  readonly 'ask-owners': StepAck;
  readonly 'publish-failed': StepAck;
  readonly complete: StepAck;
  readonly 'step-failed': GateTiming;
}

/** The output ingress sends with `SendTaskSuccess` when a gate holds. */
export interface GateOutput {
  readonly gate: GateId;
  readonly openedAt: IsoTimestamp;
}

/** Input of an execution; the execution name is the release id too. */
export interface WorkflowInput {
  readonly releaseId: string;
}
