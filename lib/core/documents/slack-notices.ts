import type { DateTime } from 'luxon';
import { utc } from './format.js';

/**
 * Notices for channels outside GitLab (Slack): release id, phase, cutoff and counts only, and a
 * pointer to the release issue (DESIGN.md §4.5). Never an issue title, description or task detail
 * beyond the playbook's public wording.
 */

/** A phase started; for Afterwards, the release is published and disclosed. */
export function phaseStartNotice(
  releaseId: string,
  phaseTitle: string,
  cutoff: DateTime | undefined,
  open: number,
): string {
  const due = cutoff ? ` Cutoff ${utc(cutoff)}.` : '';
  return `Security release ${releaseId}: ${phaseTitle} has started; ${open} task(s) open.${due} See the release issue.`;
}

/** Two hours before a cutoff with work still open. */
export function reminderNotice(releaseId: string, what: string, cutoff: DateTime, open: number): string {
  return `Security release ${releaseId}: ${what} is due ${utc(cutoff)}; ${open} task(s) still open. See the release issue.`;
}
