import type { DateTime } from 'luxon';
import type { PhaseId } from './types/playbook.js';
import {
  type DeadlinesResponse,
  type GateId,
  type GateTiming,
  type IsoTimestamp,
  type ScheduleKey,
  WORKFLOW_ERRORS,
} from './types/workflow.js';

/**
 * Pure helpers for the step protocol (`lib/core/types/workflow.ts`): gate ids, the timestamps and
 * timeouts the state machine reads, and the errors its Retry/Catch match by name.
 */

/**
 * Where a phase sits in {@link ScheduleResponse.phases}: its id in camelCase (`day-two` → `dayTwo`);
 * the ASL's Wait states read these keys.
 */
export function scheduleKey(phase: PhaseId): ScheduleKey {
  return phase.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** Owners are reminded this long before a cutoff (DESIGN.md §7). */
export const REMINDER_LEAD_HOURS = 2;

/** After a missed cutoff, how often the machine escalates again unless the handler says otherwise. */
export const ESCALATION_REPEAT_HOURS = 4;

/** The gate of a phase: every task of the phase done or waived. */
export function phaseGate(phase: PhaseId): GateId {
  return `phase:${phase}`;
}

/** The gate a phase's branch waits on until the phase starts (it times out at the start; it never holds). */
export function startGate(phase: PhaseId): GateId {
  return `start:${phase}`;
}

/** The gate a version's dependent work waits on: that version's security fix merged. */
export function mergedGate(version: string): GateId {
  return `merged:${version}`;
}

/** The gate of a pipeline secrel started for a task (and version): `pipeline:build-packages@17.5`. */
export function pipelineGate(task: string, version?: string): GateId {
  return version ? `pipeline:${task}@${version}` : `pipeline:${task}`;
}

/** A gate id taken apart, so handlers branch on its kind instead of parsing strings. */
export type ParsedGate =
  | { readonly kind: 'schedule-confirmed' | 'publish' | 'disclose' }
  | { readonly kind: 'phase'; readonly phase: PhaseId }
  | { readonly kind: 'merged'; readonly version: string }
  | { readonly kind: 'start'; readonly phase: PhaseId }
  | { readonly kind: 'recover'; readonly taskKey: string; readonly task: string }
  | { readonly kind: 'pipeline'; readonly taskKey: string; readonly task: string; readonly version?: string };

/** Takes a gate id apart (ids are validated by `gateIdSchema` before they get here). */
export function parseGate(gate: GateId): ParsedGate {
  if (gate === 'schedule-confirmed' || gate === 'publish' || gate === 'disclose') return { kind: gate };
  if (gate.startsWith('phase:')) return { kind: 'phase', phase: gate.slice('phase:'.length) };
  if (gate.startsWith('recover:')) {
    const taskKey = gate.slice('recover:'.length);
    return { kind: 'recover', taskKey, task: taskKey.split('@')[0] ?? taskKey };
  }
  if (gate.startsWith('start:')) return { kind: 'start', phase: gate.slice('start:'.length) };
  if (gate.startsWith('merged:')) return { kind: 'merged', version: gate.slice('merged:'.length) };
  const taskKey = gate.slice('pipeline:'.length);
  const [task = taskKey, version] = taskKey.split('@');
  return version ? { kind: 'pipeline', taskKey, task, version } : { kind: 'pipeline', taskKey, task };
}

/**
 * A moment as the ASL compares it: UTC, second precision, `Z` (`2026-12-04T12:00:00Z`).
 * Seconds are truncated so a Choice never sees a start "later" than a now taken in the same second.
 */
export function toStepTimestamp(moment: DateTime): IsoTimestamp {
  return moment.toUTC().startOf('second').toFormat("yyyy-MM-dd'T'HH:mm:ss'Z'");
}

/**
 * Whole seconds from `now` to `moment`, at least 1: `TimeoutSecondsPath` must be a positive
 * integer, and a cutoff already passed should time out at once (then escalate).
 */
export function timeoutSeconds(now: DateTime, moment: DateTime): number {
  const seconds = Math.ceil(moment.diff(now, 'seconds').seconds);
  return Number.isFinite(seconds) && seconds >= 1 ? seconds : 1;
}

/** Answer to `deadlines`: time out first at the reminder, then at the cutoff. */
export function deadlinesFor(now: DateTime, cutoff: DateTime): DeadlinesResponse {
  return {
    cutoff: toStepTimestamp(cutoff),
    secondsToCutoff: timeoutSeconds(now, cutoff),
    secondsToReminder: timeoutSeconds(now, cutoff.minus({ hours: REMINDER_LEAD_HOURS })),
  };
}

/** Answer to `remind`: wait on until the cutoff. */
export function untilCutoff(now: DateTime, cutoff: DateTime): GateTiming {
  return { cutoff: toStepTimestamp(cutoff), secondsToCutoff: timeoutSeconds(now, cutoff) };
}

/** Answer to `escalate`: the cutoff has passed, so the next timeout is the next escalation. */
export function nextEscalation(now: DateTime, everyHours: number = ESCALATION_REPEAT_HOURS): GateTiming {
  return untilCutoff(now, now.plus({ hours: everyHours }));
}

/** A step failed in a way worth retrying; the state machine retries it with backoff. */
export class ActionTransientError extends Error {
  override readonly name = WORKFLOW_ERRORS.transient;
}

/** A step failed for good; during publication this stops the release before any disclosure. */
export class ActionFailedError extends Error {
  override readonly name = WORKFLOW_ERRORS.failed;
}

/** A pipeline secrel started failed; the error name ingress sends as the gate's task failure. */
export class PipelineFailedError extends Error {
  override readonly name = WORKFLOW_ERRORS.pipelineFailed;
}

/** A gate reached its timeout; named like Step Functions' own so the same Catch matches locally. */
export class GateTimeoutError extends Error {
  override readonly name = WORKFLOW_ERRORS.timeout;
}
