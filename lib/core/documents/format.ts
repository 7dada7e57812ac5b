import { DateTime } from 'luxon';
import type { IssueRef } from '../types/release.js';

/** Small formatting helpers shared by the documents secrel writes on GitLab. */

/** A cutoff for people: UTC to the minute with the zone spelled out (`2026-12-04 12:00 UTC`). */
export function utc(moment: DateTime): string {
  return `${moment.toUTC().toFormat('yyyy-MM-dd HH:mm')} UTC`;
}

/** A stored ISO moment for people, or a dash when there is none. */
export function utcOfIso(iso: string | undefined): string {
  return iso === undefined ? '—' : utc(DateTime.fromISO(iso, { zone: 'utc' }));
}

/** A reference GitLab links: the URL when known, else `#iid` (same project). */
export function issueLink(issue: IssueRef): string {
  return issue.url ? `#${issue.iid} (${issue.url})` : `#${issue.iid}`;
}

/** Affected versions as a sentence part (`17.5, 17.4 and 17.3`), or a note that they are not set. */
export function versionList(versions: readonly string[]): string {
  if (versions.length === 0) return 'not set yet (`/secrel versions 17.5,17.4,17.3`)';
  if (versions.length === 1) return versions[0] ?? '';
  return `${versions.slice(0, -1).join(', ')} and ${versions.at(-1) ?? ''}`;
}
