import type { DateTime } from 'luxon';
import { utc } from './format.js';

/**
 * The comment secrel leaves on a security MR that is not ready two hours before the cutoff that
 * needs it. The MR lives in the security project, so the comment names only the reasons and the
 * cutoff: no vulnerability detail, no issue title.
 */

/** What the nudge says. */
export interface MergeRequestNudgeInput {
  /** GitLab usernames: who opened the MR and its assignees. */
  readonly people: readonly string[];
  readonly reasons: readonly string[];
  readonly cutoff: DateTime;
}

/** The nudge comment. */
export function mergeRequestNudge(input: MergeRequestNudgeInput): string {
  const who = input.people.length > 0 ? `${input.people.map((p) => `@${p}`).join(' ')}: ` : '';
  return [
    `${who}this merge request is needed by the security release cutoff ${utc(input.cutoff)} and is not ready yet:`,
    '',
    ...input.reasons.map((reason) => `- ${reason}`),
    '',
    'secrel comments once per cutoff; the release issue shows where every version stands.',
  ].join('\n');
}
