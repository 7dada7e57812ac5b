import { DateTime } from 'luxon';

/**
 * Moments as the release stores them: ISO strings with `Z`. Comparing them through luxon keeps
 * `...T10:00:00Z` and `...T10:00:00.000Z` equal.
 */

/** `now` as a stored ISO string in UTC. */
export function isoOf(now: DateTime): string {
  const iso = now.toUTC().toISO();
  if (iso === null) throw new Error('invalid moment: the release clock must give a valid DateTime');
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
