import { DEFINITION_SUBSTITUTIONS, type StepKind, WORKFLOW_ERRORS } from '../types/workflow.js';
import { RETRY_POLICY } from './retry.js';

/**
 * Constructors for the few kinds of state the security-release machine is made of: a call to the
 * actions function, a gate (task token), and the loop around a gate (reminder, escalation,
 * re-timing). Pure data; the builder (`build.ts`) wires them from the playbook.
 */

/** A JSON value, as an ASL definition holds. */
export type AslJson = string | number | boolean | null | AslJson[] | { [key: string]: AslJson };

/** One state, as JSON. */
export type AslState = { [key: string]: AslJson };

/** States by name. */
export type AslStates = Record<string, AslState>;

/** A machine, a Parallel branch or a Map's item processor. */
export interface AslMachine {
  readonly StartAt: string;
  readonly States: AslStates;
}

/** Step Functions refuses longer state names. */
export const MAX_STATE_NAME = 80;

const ACTIONS_ARN = `\${${DEFINITION_SUBSTITUTIONS.actions}}`;
const GATE_ARN = `\${${DEFINITION_SUBSTITUTIONS.gate}}`;

/** Where the next state goes: a name, or the end of the branch. */
export type Exit = { readonly next: string } | { readonly end: true };

/** `Next` or `End` for an exit. */
export function exitFields(exit: Exit): AslState {
  return 'next' in exit ? { Next: exit.next } : { End: true };
}

/** Fields of a gate id or task in a payload: a literal, or a `States.Format` over `$.version`. */
export type Field = { readonly literal: string } | { readonly perVersion: string };

/** A payload field from a {@link Field}. */
export function field(name: string, value: Field): AslState {
  return 'literal' in value
    ? { [name]: value.literal }
    : { [`${name}.$`]: `States.Format('${value.perVersion}', $.version)` };
}

/** What a step's answer becomes in the state: discarded, the gate timing, or the schedule. */
export type StepResult = 'discard' | 'deadlines' | 'timing' | 'action-timing' | 'schedule';

const SELECTORS: Record<Exclude<StepResult, 'discard'>, AslState> = {
  deadlines: {
    'cutoff.$': '$.Payload.cutoff',
    'secondsToCutoff.$': '$.Payload.secondsToCutoff',
    'secondsToReminder.$': '$.Payload.secondsToReminder',
  },
  timing: { 'cutoff.$': '$.Payload.cutoff', 'secondsToCutoff.$': '$.Payload.secondsToCutoff' },
  'action-timing': { 'secondsToCutoff.$': '$.Payload.secondsToCutoff' },
  schedule: { 'now.$': '$.Payload.now', 'versions.$': '$.Payload.versions', 'phases.$': '$.Payload.phases' },
};

/** A call to the actions function: one step of the protocol (`lib/core/types/workflow.ts`). */
export function step(
  kind: StepKind,
  payload: AslState,
  result: StepResult,
  exit: Exit,
  extra: AslState = {},
): AslState {
  const out: AslState = {
    Type: 'Task',
    Resource: 'arn:aws:states:::lambda:invoke',
    Parameters: {
      FunctionName: ACTIONS_ARN,
      Payload: { 'releaseId.$': '$.releaseId', step: kind, ...payload },
    },
  };
  if (result === 'discard') out.ResultPath = null;
  else {
    out.ResultSelector = SELECTORS[result];
    out.ResultPath = result === 'schedule' ? '$.schedule' : '$.timing';
  }
  return {
    ...out,
    Retry: structuredClone(RETRY_POLICY) as unknown as AslJson,
    ...extra,
    ...exitFields(exit),
  };
}

/** An automated action of the playbook, once or per version (`$.version` in a Map). */
export function actionStep(action: string, perVersion: boolean, result: StepResult, exit: Exit): AslState {
  return step('action', { task: action, ...(perVersion ? { 'version.$': '$.version' } : {}) }, result, exit);
}

/** A gate: the gate function stores the task token; ingress sends it back when the gate's rule holds. */
export function gateState(
  gate: Field,
  timeoutPath: string | undefined,
  catches: AslJson[],
  exit: Exit,
): AslState {
  return {
    Type: 'Task',
    Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
    Parameters: {
      FunctionName: GATE_ARN,
      Payload: { 'releaseId.$': '$.releaseId', ...field('gate', gate), 'token.$': '$$.Task.Token' },
    },
    ...(timeoutPath ? { TimeoutSecondsPath: timeoutPath } : {}),
    ResultPath: null,
    Retry: structuredClone(RETRY_POLICY) as unknown as AslJson,
    ...(catches.length > 0 ? { Catch: catches } : {}),
    ...exitFields(exit),
  };
}

function catcher(error: string, next: string): AslJson {
  return { ErrorEquals: [error], ResultPath: null, Next: next };
}

/** Names of the states of one gate loop. */
export interface GateLoopNames {
  /** The wait until the reminder; absent when the gate has no reminder. */
  readonly beforeReminder?: string;
  readonly remind?: string;
  /** The wait until the cutoff (and, after it, until the next escalation). */
  readonly wait: string;
  readonly escalate: string;
  /** Re-reads the gate's timing after `Schedule.Moved`. */
  readonly recompute: string;
}

/**
 * The loop around a gate, entered with its timing in `$.timing`: wait (until the reminder, remind,
 * then until the cutoff), escalate at the cutoff and wait again until the next escalation. When
 * the schedule moves, the gate fails with `Schedule.Moved`, the timing is read again and the wait
 * starts over: every pending reminder and escalation follows the cutoff in force. No polling: the
 * loop only wakes at those moments.
 */
export function gateLoop(
  gate: Field,
  names: GateLoopNames,
  exit: Exit,
  also: readonly { readonly error: string; readonly next: string }[] = [],
): AslStates {
  const states: AslStates = {};
  const first = names.beforeReminder ?? names.wait;
  const extra = also.map((c) => catcher(c.error, c.next));
  const moved = catcher(WORKFLOW_ERRORS.scheduleMoved, names.recompute);
  if (names.beforeReminder && names.remind) {
    states[names.beforeReminder] = gateState(
      gate,
      '$.timing.secondsToReminder',
      [catcher(WORKFLOW_ERRORS.timeout, names.remind), moved, ...extra],
      exit,
    );
    states[names.remind] = step('remind', field('gate', gate), 'timing', { next: names.wait });
  }
  states[names.wait] = gateState(
    gate,
    '$.timing.secondsToCutoff',
    [catcher(WORKFLOW_ERRORS.timeout, names.escalate), moved, ...extra],
    exit,
  );
  states[names.escalate] = step('escalate', field('gate', gate), 'timing', { next: names.wait });
  states[names.recompute] = step('deadlines', field('gate', gate), 'deadlines', { next: first });
  return states;
}

/** A gate that waits without a timeout: what it waits on is escalated by the gate of its own phase. */
export function quietGate(gate: Field, exit: Exit): AslState {
  return gateState(gate, undefined, [], exit);
}
