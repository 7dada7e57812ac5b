import { DateTime } from 'luxon';
import { findTask } from '../../core/playbook-lookup.js';
import { publicationCutoff, windowOf } from '../../core/schedule.js';
import type { PhaseId, Playbook, Task } from '../../core/types/playbook.js';
import { ACTION_KINDS } from '../../core/types/playbook.js';
import type { ReleaseState } from '../../core/types/release.js';
import type { Schedule } from '../../core/types/release-schedule.js';
import type { GateId } from '../../core/types/workflow.js';
import { ESCALATION_REPEAT_HOURS, parseGate } from '../../core/workflow-steps.js';

/**
 * When each gate is due and when a late gate is escalated again. Cutoffs come from the schedule
 * (DESIGN.md §4.7). A late gate is escalated at its own cutoff, then again every
 * {@link ESCALATION_REPEAT_HOURS} hours until it holds: every notice names the gate's own cutoff in
 * force, and the release never stops waiting.
 */

/** Hours to confirm Day one and versions when no Day one is set yet. */
export const CONFIRMATION_HOURS = 24;

/** The playbook task of a task id or an automated action kind. */
export function taskOfKey(playbook: Playbook, taskOrAction: string): Task | undefined {
  return (
    findTask(playbook, taskOrAction) ??
    playbook.tasks.find((t) => t.completion.kind === 'automated' && t.completion.action === taskOrAction)
  );
}

/** The phase whose cutoff a task (by id or action kind) must meet. */
export function phaseOfTask(playbook: Playbook, taskOrAction: string): PhaseId | undefined {
  const byId = findTask(playbook, taskOrAction);
  if (byId) return byId.phase;
  if (!(ACTION_KINDS as readonly string[]).includes(taskOrAction)) return undefined;
  return playbook.tasks.find((t) => t.completion.kind === 'automated' && t.completion.action === taskOrAction)
    ?.phase;
}

/** The cutoff of a gate for this release. */
export function gateCutoff(
  state: ReleaseState,
  schedule: Schedule | undefined,
  gate: GateId,
  playbook: Playbook,
): DateTime {
  const parsed = parseGate(gate);
  if (parsed.kind === 'schedule-confirmed') {
    // The first phase (First steps in the seed) has to be done before the schedule's next phase opens.
    const firstSteps = schedule?.phases[0];
    return (
      firstSteps?.cutoff ??
      DateTime.fromISO(state.createdAt, { zone: 'utc' }).plus({ hours: CONFIRMATION_HOURS })
    );
  }
  if (!schedule) {
    // Every other gate comes after the schedule gate; fall back to confirmation time anyway.
    return DateTime.fromISO(state.createdAt, { zone: 'utc' }).plus({ hours: CONFIRMATION_HOURS });
  }
  if (parsed.kind === 'publish' || parsed.kind === 'disclose') return publicationCutoff(schedule);
  if (parsed.kind === 'start') {
    const window = windowOf(schedule, parsed.phase);
    return window?.start ?? window?.cutoff ?? publicationCutoff(schedule);
  }
  const phase =
    parsed.kind === 'phase'
      ? parsed.phase
      : parsed.kind === 'pipeline' || parsed.kind === 'recover'
        ? phaseOfTask(playbook, parsed.task)
        : undefined;
  const window = phase ? windowOf(schedule, phase) : undefined;
  return window?.cutoff ?? publicationCutoff(schedule);
}

/**
 * The escalation moment reached at `now` for a gate whose cutoff in force is `cutoff`, and the next
 * one: the cutoff itself, then every {@link ESCALATION_REPEAT_HOURS} hours after it.
 */
export function escalationAt(
  cutoff: DateTime,
  now: DateTime,
): { readonly cutoff: DateTime; readonly moment: DateTime; readonly next: DateTime } {
  const every = ESCALATION_REPEAT_HOURS * 3_600_000;
  const late = Math.max(0, now.toMillis() - cutoff.toMillis());
  const moment = cutoff.plus({ milliseconds: Math.floor(late / every) * every });
  return { cutoff, moment, next: moment.plus({ hours: ESCALATION_REPEAT_HOURS }) };
}
