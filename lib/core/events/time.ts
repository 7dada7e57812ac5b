import { DateTime } from 'luxon';
import * as z from 'zod';

// GitLab writes times as ISO 8601 (`2013-12-03T17:23:34Z`, `2012-01-03T23:36:29+02:00`) or in
// Rails' default form (`2013-12-03 17:23:34 UTC`, `2021-04-28 21:50:00 +0200`).
const RAILS_TIME = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*(UTC|Z|[+-]\d{2}:?\d{2})?$/;

/**
 * Converts a GitLab timestamp to an ISO string in UTC with milliseconds and `Z`
 * (`2013-12-03T17:23:34.000Z`), or `undefined` when it is not a timestamp.
 * Always writing milliseconds keeps the strings fixed-width, so they order correctly as text.
 */
export function toUtcIso(text: string): string | undefined {
  const trimmed = text.trim();
  const rails = RAILS_TIME.exec(trimmed);
  const iso = rails ? `${rails[1]}T${rails[2]}${isoOffset(rails[3])}` : trimmed;
  // A time without a zone is taken as UTC: GitLab stores and sends UTC.
  const parsed = DateTime.fromISO(iso, { zone: 'utc' });
  return parsed.isValid ? parsed.toJSDate().toISOString() : undefined;
}

function isoOffset(zone: string | undefined): string {
  if (zone === undefined || zone === 'UTC' || zone === 'Z') return 'Z';
  return zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
}

/** A GitLab timestamp field, normalized to UTC ISO with `Z`. */
export const gitlabTime = z.string().transform((text, ctx) => {
  const iso = toUtcIso(text);
  if (iso === undefined) {
    ctx.addIssue({ code: 'custom', message: 'expected a timestamp' });
    return z.NEVER;
  }
  return iso;
});
