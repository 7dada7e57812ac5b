import { DateTime } from 'luxon';
import type { DayTime, PhaseId, Playbook } from './types/playbook.js';
import type { PhaseWindow, Schedule, UpcomingCutoff } from './types/release-schedule.js';

/**
 * The four-day schedule of a release in UTC (DESIGN.md §4.7): Day one plus the playbook's day
 * offsets gives every phase's start and cutoff; a slip moves them all together. Pure: the caller
 * passes "now" in, so the release clock (real or compressed) stays outside.
 */

/** Raised for a Day one, slip or moment that cannot be read without guessing; the message is one line. */
export class ScheduleInputError extends Error {
  override readonly name = 'ScheduleInputError';
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\S+$/;
// An explicit zone is required: without one luxon would read the time in this machine's zone.
const EXPLICIT_OFFSET = /(?:Z|[+-]\d{2}(?::?\d{2})?)$/i;
const HH_MM = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Quotes input for an error message, on one line and short, whatever was typed. */
function quoted(input: string): string {
  return JSON.stringify(input.length > 40 ? `${input.slice(0, 40)}…` : input);
}

/**
 * Reads a moment given with an explicit zone (`Z` or an offset) as a UTC DateTime.
 * Used for ISO strings at the edges (stored state, command arguments).
 */
export function parseMoment(input: string): DateTime {
  const text = input.trim();
  if (!TIMESTAMP.test(text)) {
    throw new ScheduleInputError(`${quoted(input)} is not an ISO timestamp like 2026-12-01T09:30Z`);
  }
  if (!EXPLICIT_OFFSET.test(text)) {
    throw new ScheduleInputError(
      `${quoted(input)} has no Z or UTC offset; add one so it is not read in this machine's zone`,
    );
  }
  const moment = DateTime.fromISO(text, { setZone: true });
  if (!moment.isValid) {
    throw new ScheduleInputError(
      `${quoted(input)} is not a valid moment (${moment.invalidExplanation ?? 'invalid'})`,
    );
  }
  return moment.toUTC();
}

/**
 * Reads Day one: `YYYY-MM-DD` is a UTC date; an ISO timestamp with `Z` or an offset is first
 * converted to UTC and its UTC date is Day one (so `2026-12-01T22:00-05:00` means 2026-12-02).
 * A timestamp without a zone is refused rather than read in this machine's zone.
 * Returns Day one at 00:00 UTC; throws {@link ScheduleInputError} otherwise.
 */
export function parseDayOne(input: string): DateTime {
  const text = input.trim();
  if (DATE_ONLY.test(text)) {
    const day = DateTime.fromISO(text, { zone: 'utc' });
    if (!day.isValid) throw new ScheduleInputError(`Day one ${quoted(input)} is not a calendar date`);
    return day.startOf('day');
  }
  if (TIMESTAMP.test(text)) {
    try {
      return parseMoment(text).startOf('day');
    } catch (error) {
      if (error instanceof ScheduleInputError) throw new ScheduleInputError(`Day one ${error.message}`);
      throw error;
    }
  }
  throw new ScheduleInputError(
    `Day one ${quoted(input)} must be YYYY-MM-DD (UTC) or an ISO timestamp with Z or an offset`,
  );
}

/** The UTC moment a playbook day-time names, for this Day one and slip. */
function momentOf(dayOne: DateTime, at: DayTime, slipHours: number): DateTime {
  const match = HH_MM.exec(at.time);
  if (!match) throw new ScheduleInputError(`playbook time ${quoted(at.time)} is not HH:mm`);
  // In UTC a day is always 24 hours, so these additions are exact.
  return dayOne.plus({
    days: at.dayOffset,
    hours: Number(match[1]) + slipHours,
    minutes: Number(match[2]),
  });
}

/**
 * Computes every phase's start and cutoff in UTC from Day one. A slip of N hours (negative pulls
 * in) moves every start and cutoff by exactly N hours. Day one is taken as the UTC date of the
 * given moment. Throws {@link ScheduleInputError} for an invalid Day one, a fractional slip, or a
 * playbook whose cutoffs are not in process order.
 */
export function computeSchedule(playbook: Playbook, dayOne: DateTime, slipHours = 0): Schedule {
  if (!dayOne.isValid) throw new ScheduleInputError('Day one is not a valid date');
  if (!Number.isSafeInteger(slipHours)) {
    throw new ScheduleInputError(`slip must be a whole number of hours, got ${String(slipHours)}`);
  }
  const base = dayOne.toUTC().startOf('day');
  const phases: PhaseWindow[] = playbook.phases.map((phase) => ({
    phase: phase.id,
    title: phase.title,
    start: phase.start === null ? null : momentOf(base, phase.start, slipHours),
    cutoff: momentOf(base, phase.cutoff, slipHours),
  }));
  checkOrder(phases);
  return { dayOne: base, slipHours, phases };
}

/** A schedule whose cutoffs go backwards would make the state machine wait for the past. */
function checkOrder(phases: readonly PhaseWindow[]): void {
  for (const [i, window] of phases.entries()) {
    if (window.start && window.start.toMillis() > window.cutoff.toMillis()) {
      throw new ScheduleInputError(`phase ${window.phase} starts after its cutoff`);
    }
    const previous = phases[i - 1];
    if (previous && window.cutoff.toMillis() <= previous.cutoff.toMillis()) {
      throw new ScheduleInputError(
        `phase ${window.phase} has its cutoff before the cutoff of ${previous.phase}`,
      );
    }
  }
}

/** The window of one phase, or undefined when the playbook has no such phase. */
export function windowOf(schedule: Schedule, phase: PhaseId): PhaseWindow | undefined {
  return schedule.phases.find((window) => window.phase === phase);
}

/**
 * The cutoff by which everything is public: Day four 23:59 in the seed. For a playbook without
 * that phase, the last cutoff before Afterwards.
 */
export function publicationCutoff(schedule: Schedule): DateTime {
  const dayFourEnd = windowOf(schedule, 'day-four-end');
  if (dayFourEnd) return dayFourEnd.cutoff;
  const beforeAfterwards = schedule.phases.filter((window) => window.phase !== 'afterwards');
  const last = beforeAfterwards.at(-1) ?? schedule.phases.at(-1);
  if (!last) throw new ScheduleInputError('the schedule has no phases');
  return last.cutoff;
}

/**
 * The phase whose work is under way at `now`: the last phase that has started (start inclusive),
 * First steps before Day one. A phase stays current past its cutoff until the next one starts,
 * so a late phase is still reported as the one in progress.
 */
export function currentPhase(schedule: Schedule, now: DateTime): PhaseWindow {
  let current = schedule.phases[0];
  if (!current) throw new ScheduleInputError('the schedule has no phases');
  for (const window of schedule.phases) {
    if (window.start !== null && window.start.toMillis() <= now.toMillis()) current = window;
  }
  return current;
}

/** The first cutoff strictly after `now`, or undefined once every cutoff has passed. */
export function nextCutoff(schedule: Schedule, now: DateTime): UpcomingCutoff | undefined {
  const window = schedule.phases.find((w) => w.cutoff.toMillis() > now.toMillis());
  return window && { phase: window.phase, title: window.title, at: window.cutoff };
}

/**
 * Whole seconds from `now` until `moment`, rounded up so a timer set with it never fires early;
 * 0 when the moment has passed.
 */
export function secondsUntil(now: DateTime, moment: DateTime): number {
  const millis = moment.toMillis() - now.toMillis();
  return millis <= 0 ? 0 : Math.ceil(millis / 1000);
}

/** UTC to the minute with `Z` (`2026-12-04T12:00Z`), for people: cutoffs fall on whole minutes. */
export function toIsoMinutes(moment: DateTime): string {
  if (!moment.isValid) throw new ScheduleInputError('cannot format an invalid moment');
  return moment.toUTC().toFormat("yyyy-MM-dd'T'HH:mm'Z'");
}
