import { DateTime } from 'luxon';

/**
 * Moments as the release stores them: ISO strings with `Z`. Comparing them through luxon keeps
 * `...T10:00:00Z` and `...T10:00:00.000Z` equal.
 */

/**
 * Full ISO in UTC with `Z` (`2026-12-04T12:00:00.000Z`): how moments are stored, sent to Step
 * Functions and shown in JSON.
 */
export function isoOf(moment: DateTime): string {
  const iso = moment.toUTC().toISO();
  if (iso === null) throw new Error('invalid moment: cannot format an invalid DateTime');
  return iso;
}

/** Milliseconds since the epoch of a stored ISO string; NaN when unreadable. */
export function millisOf(iso: string): number {
  return DateTime.fromISO(iso, { setZone: true }).toMillis();
}

/** True when `candidate` is strictly earlier than `stored` (an older event never rolls state back). */
export function isOlder(candidate: string, stored: string): boolean {
  return millisOf(candidate) < millisOf(stored);
}
