import type { DateTime } from 'luxon';
import type { Role } from '../types/playbook.js';
import { utc } from './format.js';
import { mention, type RoleMap } from './mentions.js';

/** The one comment after a step failed for good: who owns it, what failed, and the three ways on. */
export interface StepFailedInput {
  /** Task key (`draft-mr`, `build-packages@17.4`). */
  readonly key: string;
  /** The step as people read it (the seed's wording). */
  readonly text: string;
  readonly owners: readonly Role[];
  /** The error's name (`Action.Failed`), never a body or confidential text. */
  readonly error: string;
  readonly cutoff: DateTime;
  readonly roles: RoleMap;
}

/** Written once per failed step; the release goes on after `/secrel retry`, `done` or `waive`. */
export function stepFailedComment(input: StepFailedInput): string {
  return [
    `### Step failed: ${input.key}`,
    '',
    `${mention(input.roles, [...input.owners, 'release managers'])}: secrel could not ${input.text.replace(/\.$/, '').toLowerCase()} (\`${input.key}\`, ${input.error}). The rest of the release goes on; what depends on it waits.`,
    '',
    `- \`/secrel retry ${input.key}\` once the cause is fixed`,
    `- \`/secrel done ${input.key}\` if you did it by hand`,
    `- \`/secrel waive ${input.key} <reason>\` (security lead) if it is not needed`,
    '',
    `Due by ${utc(input.cutoff)}; secrel escalates after that.`,
  ].join('\n');
}
