import { DateTime } from 'luxon';
import { findTask } from '../../core/playbook.js';
import { publicationCutoff, windowOf } from '../../core/schedule.js';
import type { PhaseId, Playbook } from '../../core/types/playbook.js';
import { ACTION_KINDS } from '../../core/types/playbook.js';
import type { ReleaseState } from '../../core/types/release.js';
import type { Schedule } from '../../core/types/schedule.js';
import type { GateId } from '../../core/types/workflow.js';
import { ESCALATION_REPEAT_HOURS, parseGate } from '../../core/workflow-steps.js';

/**
 * When each gate is due and when a late gate is escalated again. Cutoffs come from the schedule
 * (DESIGN.md §4.7). A late gate is escalated at its own cutoff, then at every later cutoff up to
 * publication, then every {@link ESCALATION_REPEAT_HOURS} hours: people hear about it at each
 * cutoff they miss, and the release never stops waiting.
 */

/** Hours to confirm Day one and versions when no Day one is set yet. */
export const CONFIRMATION_HOURS = 24;

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
    const firstSteps = schedule && windowOf(schedule, 'first-steps');
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
  const phase =
    parsed.kind === 'phase'
      ? parsed.phase
      : parsed.kind === 'pipeline'
        ? phaseOfTask(playbook, parsed.task)
        : undefined;
  const window = phase && windowOf(schedule, phase);
  return window?.cutoff ?? publicationCutoff(schedule);
}

/** The moments a late gate is escalated at, up to and including the first one after `now`. */
export function escalationMoments(
  cutoff: DateTime,
  schedule: Schedule | undefined,
  now: DateTime,
): DateTime[] {
  const moments: DateTime[] = [cutoff];
  if (schedule) {
    const last = publicationCutoff(schedule).toMillis();
    for (const window of schedule.phases) {
      const at = window.cutoff.toMillis();
      if (at > cutoff.toMillis() && at <= last) moments.push(window.cutoff);
    }
  }
  let tail = moments.at(-1) ?? cutoff;
  while (tail.toMillis() <= now.toMillis()) {
    tail = tail.plus({ hours: ESCALATION_REPEAT_HOURS });
    moments.push(tail);
  }
  return moments;
}

/** The escalation moment reached at `now` (the cutoff missed) and the next one. */
export function escalationAt(
  cutoff: DateTime,
  schedule: Schedule | undefined,
  now: DateTime,
): { readonly missed: DateTime; readonly next: DateTime } {
  const moments = escalationMoments(cutoff, schedule, now);
  let missed = cutoff;
  let next: DateTime | undefined;
  for (const moment of moments) {
    if (moment.toMillis() <= now.toMillis()) missed = moment;
    else {
      next = moment;
      break;
    }
  }
  return { missed, next: next ?? now.plus({ hours: ESCALATION_REPEAT_HOURS }) };
}
