import type { DateTime } from 'luxon';
import { isoOf } from './moments.js';
import { computeSchedule } from './schedule.js';
import type { Playbook } from './types/playbook.js';
import type { Effect, GateState, ReleaseState } from './types/release.js';
import { WORKFLOW_ERRORS } from './types/workflow.js';

/**
 * Re-timing a running release (`/secrel slip`, a new `/secrel start`): every gate the state machine
 * waits on with a timeout (a phase start, a reminder, a cutoff, an escalation) is failed with
 * `Schedule.Moved`; the machine catches it, reads the gate's timing again and waits anew, so every
 * pending notice follows the cutoff in force. A version's `merged:` gate has no timeout and stays.
 */

/** Gates that wait without a timeout: nothing about them moves with the schedule. */
function untimed(gate: string): boolean {
  return gate.startsWith('merged:');
}

/** The gates to re-time and the effects that tell the machine; the gates lose their tokens until re-armed. */
export function moveWaitingGates(state: ReleaseState): {
  readonly gates: Record<string, GateState>;
  readonly effects: Effect[];
} {
  const gates: Record<string, GateState> = { ...state.gates };
  const effects: Effect[] = [];
  for (const [gate, current] of Object.entries(state.gates)) {
    if (current.status !== 'waiting' || current.token === undefined || untimed(gate)) continue;
    const { token, ...rest } = current;
    gates[gate] = rest;
    effects.push({
      type: 'fail-gate',
      gate,
      token,
      error: WORKFLOW_ERRORS.scheduleMoved,
      cause: 'the schedule moved; the gate is timed again',
    });
  }
  return { gates, effects };
}

/**
 * The earliest a slip may move the schedule (a negative number of hours, or 0): no cutoff still
 * ahead of `now` may land in the past.
 */
export function earliestSlip(playbook: Playbook, dayOne: DateTime, slipHours: number, now: DateTime): number {
  const schedule = computeSchedule(playbook, dayOne, slipHours);
  const ahead = schedule.phases.map((w) => w.cutoff).filter((cutoff) => cutoff.toMillis() > now.toMillis());
  if (ahead.length === 0) return 0;
  const soonest = Math.min(...ahead.map((cutoff) => cutoff.toMillis()));
  return -Math.floor((soonest - now.toMillis()) / 3_600_000);
}

/** When a re-timing happened, for the timeline. */
export function retimedAt(now: DateTime): string {
  return isoOf(now);
}
