import type { DateTime } from 'luxon';
import { publicationCutoff, toIsoMinutes } from './schedule.js';
import type { EmbargoWarning, Schedule } from './types/release-schedule.js';

/**
 * Checks on the embargo a schedule implies. They are warnings for the security lead to weigh,
 * never errors: a release may have good reasons to publish late in the week or hold longer.
 */

/** Longest embargo, from first steps to publication, that passes without a warning. */
export const MAX_EMBARGO_DAYS = 14;

/** Luxon weekdays (1 = Monday) on which publishing leaves admins to patch over the weekend. */
const LATE_IN_WEEK = new Set([5, 6, 7]);

const DAY_MILLIS = 86_400_000;

/** A duration as people say it, to the minute, so "longer than 14 days" never reads "14 days". */
function spell(millis: number): string {
  const totalMinutes = Math.floor(millis / 60_000);
  const days = Math.floor(totalMinutes / 1440);
  const hours = Math.floor((totalMinutes % 1440) / 60);
  const minutes = totalMinutes % 60;
  const parts = [`${days} days`];
  if (hours > 0) parts.push(`${hours} h`);
  if (minutes > 0) parts.push(`${minutes} min`);
  return parts.join(' ');
}

/**
 * Warnings about the embargo from `startedAt` (when first steps began; pass now for a release
 * not yet started) to publication (Day four 23:59 UTC): publication on a Friday, Saturday or
 * Sunday (UTC), an embargo longer than 14 days, or a publication already in the past.
 */
export function checkEmbargo(schedule: Schedule, startedAt: DateTime): EmbargoWarning[] {
  const publication = publicationCutoff(schedule).toUTC();
  const warnings: EmbargoWarning[] = [];
  if (LATE_IN_WEEK.has(publication.weekday)) {
    warnings.push({
      code: 'publication-late-in-week',
      message: `publication ${toIsoMinutes(publication)} falls on a ${publication.setLocale('en').weekdayLong} (UTC): admins would patch over the weekend`,
    });
  }
  const embargoMillis = publication.toMillis() - startedAt.toMillis();
  if (embargoMillis <= 0) {
    warnings.push({
      code: 'publication-passed',
      message: `publication ${toIsoMinutes(publication)} is not after the start ${toIsoMinutes(startedAt)}`,
    });
  } else if (embargoMillis > MAX_EMBARGO_DAYS * DAY_MILLIS) {
    warnings.push({
      code: 'embargo-over-14-days',
      message: `embargo of ${spell(embargoMillis)} from ${toIsoMinutes(startedAt)} to publication ${toIsoMinutes(publication)} is longer than ${MAX_EMBARGO_DAYS} days`,
    });
  }
  return warnings;
}
