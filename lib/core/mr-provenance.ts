import type { SecrelConfig } from './config.js';
import { rolesOf } from './permissions.js';
import type { Role } from './types/playbook.js';
import type { MergeRequestState, ReleaseState } from './types/release.js';
import { MAIN_LINE } from './versions.js';

/**
 * MR provenance (DESIGN.md §4.1): mentioning the vulnerability issue lets an MR join the release, but
 * only an MR named with `/secrel mr` by someone allowed to, or opened or merged by a member of a fix
 * role, counts toward "version V has its fix". When an MR that counted is closed unmerged, V has no fix
 * until the security lead or a release manager names the replacement: a mention never replaces it.
 */

/** Roles whose members' MRs count as a version's fix. */
export const FIX_ROLES: readonly Role[] = ['dev team', 'release managers', 'security lead'];

/** Whether a GitLab user holds a fix role. */
export function holdsFixRole(config: SecrelConfig, username: string): boolean {
  return rolesOf(config, username).some((role) => FIX_ROLES.includes(role));
}

/** Whether an MR counts toward its version's fix. */
export function counts(mr: MergeRequestState): boolean {
  return mr.countedVia !== undefined;
}

/**
 * How an MR event changes whether the MR counts: already counting stays so; named by `/secrel mr`
 * counts; otherwise the event's user (author on open, merger on merge) must hold a fix role, and the
 * version must not be waiting for a named replacement.
 */
export function countedViaAfter(
  state: ReleaseState,
  stored: MergeRequestState | undefined,
  version: string,
  linked: boolean,
  actor: string,
  config: SecrelConfig,
): MergeRequestState['countedVia'] {
  if (stored?.countedVia !== undefined) return stored.countedVia;
  if (linked) return 'command';
  if (state.replacementNeeded?.[version] !== undefined) return undefined;
  return holdsFixRole(config, actor) ? 'role' : undefined;
}

/** The label of a version in messages. */
function labelOf(version: string): string {
  return version === MAIN_LINE ? 'the main line' : version;
}

/** Why an MR does not count, in one line for status and dashboard (no titles, no descriptions). */
export function whyNotCounted(state: ReleaseState, mr: MergeRequestState): string | undefined {
  if (counts(mr)) return undefined;
  if (state.replacementNeeded?.[mr.version] !== undefined) {
    return `not counted: ${labelOf(mr.version)} waits for the security lead or a release manager to name its replacement fix (/secrel mr !${mr.iid})`;
  }
  return `not counted: neither named with /secrel mr nor opened or merged by the dev team, a release manager or the security lead`;
}

/** One line per MR of a version: which is the fix and why another is not counted. */
export function fixLines(state: ReleaseState, version: string): string[] {
  const lines: string[] = [];
  const needed = state.replacementNeeded?.[version];
  if (needed !== undefined) {
    lines.push(
      `${labelOf(version)} has no fix: !${needed.iid} in project ${needed.projectId} was closed unmerged; the security lead or a release manager names the replacement with /secrel mr !<iid>`,
    );
  }
  for (const mr of Object.values(state.mergeRequests).filter((m) => m.version === version)) {
    const where = `!${mr.iid} in project ${mr.projectId} (${mr.state})`;
    if (mr.state === 'closed') {
      lines.push(`${where} was closed unmerged and is no fix`);
      continue;
    }
    const why = whyNotCounted(state, mr);
    lines.push(
      why === undefined
        ? `${where} is a fix for ${labelOf(version)} (${mr.countedVia === 'command' ? 'named with /secrel mr' : 'by a member of a fix role'})`
        : `${where} ${why}`,
    );
  }
  return lines;
}
