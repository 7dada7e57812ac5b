import { DateTime } from 'luxon';
import { checkEmbargo } from './embargo.js';
import { computeSchedule, parseDayOne } from './schedule.js';
import type { Playbook } from './types/playbook.js';
import type { ReleaseState } from './types/release.js';

/**
 * Warnings shown where people decide (the `/secrel start` reply, the living description, the
 * dashboard, `secrel status`): what the schedule implies for the embargo, counted from when the
 * release started. Warnings never stop a release and never carry confidential text.
 */

/** The embargo warnings of a release with Day one set; none before. */
export function releaseWarnings(state: ReleaseState, playbook: Playbook): string[] {
  if (state.dayOne === undefined) return [];
  const schedule = computeSchedule(playbook, parseDayOne(state.dayOne), state.slipHours);
  return checkEmbargo(schedule, DateTime.fromISO(state.createdAt, { zone: 'utc' })).map((w) => w.message);
}

/** Warnings as reply lines (`\n\nWarning: …`), or nothing. */
export function warningLines(state: ReleaseState, playbook: Playbook): string {
  return releaseWarnings(state, playbook)
    .map((warning) => `\n\nWarning: ${warning}.`)
    .join('');
}
