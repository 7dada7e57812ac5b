import { latestPipelineOf } from './signals.js';
import type { MergeRequestEvent } from './types/events.js';
import type { MergeRequestState, ReleaseState } from './types/release.js';

/**
 * Security MR readiness (DESIGN.md §7): why an MR of the release cannot be merged yet, from the
 * Merge Request Hook's own fields and the latest pipeline seen on it. Reasons are short words for
 * people, never the MR's title or description (the MR lives in the security project).
 */

/** `detailed_merge_status` values that say why GitLab would refuse the merge. */
const MERGE_STATUS_REASONS: Readonly<Record<string, string>> = {
  not_approved: 'not approved',
  conflict: 'has conflicts',
  need_rebase: 'needs a rebase',
  discussions_not_resolved: 'unresolved threads',
  draft_status: 'draft',
  requested_changes: 'changes requested',
  blocked_status: 'blocked by another merge request',
  ci_must_pass: 'pipeline must pass',
  ci_still_running: 'pipeline still running',
  not_open: 'not open',
  policies_denied: 'denied by a policy',
  external_status_checks: 'external status checks pending',
  merge_request_blocked: 'blocked',
  security_policy_violations: 'security policy violations',
};

/** Statuses that mean nothing against the MR, or that GitLab has not decided yet. */
const NOT_A_REASON = new Set(['mergeable', 'checking', 'unchecked', 'approvals_syncing', 'preparing']);

/** The reasons a hook gives against an MR (stored on the MR as `notReady`). */
export function hookReasons(event: MergeRequestEvent): string[] {
  const readiness = event.readiness;
  if (readiness === undefined || event.state !== 'opened') return [];
  const reasons: string[] = [];
  if (readiness.draft === true) reasons.push('draft');
  if (readiness.blockingDiscussionsResolved === false) reasons.push('unresolved threads');
  const status = readiness.detailedMergeStatus;
  if (status !== undefined && !NOT_A_REASON.has(status)) {
    const reason = MERGE_STATUS_REASONS[status] ?? `merge status ${status.replace(/[^\w-]/g, '')}`;
    if (!reasons.includes(reason)) reasons.push(reason);
  }
  return reasons;
}

/** Who an MR's readiness comment mentions: who opened it and its assignees, each once. */
export function mergeRequestPeople(
  event: MergeRequestEvent,
  stored: MergeRequestState | undefined,
): string[] {
  const people = [...(stored?.people ?? [])];
  const add = (name: string) => {
    if (!people.some((p) => p.toLowerCase() === name.toLowerCase())) people.push(name);
  };
  if (event.action === 'open') add(event.actor);
  for (const name of event.readiness?.assignees ?? []) add(name);
  return people;
}

/**
 * Every reason an open MR is not ready: its hook's, a head pipeline that is not green, and a
 * target branch that is not an affected version's or the main line's. Empty for a ready MR.
 */
export function readinessReasons(state: ReleaseState, mr: MergeRequestState): string[] {
  if (mr.state !== 'opened') return [];
  const reasons = [...(mr.notReady ?? [])];
  const pipeline = latestPipelineOf(state, mr);
  if (pipeline === undefined) reasons.push('no pipeline seen');
  else if (pipeline.status !== 'success') reasons.push(`pipeline ${pipeline.status}`);
  if (mr.version !== 'main' && !state.versions.includes(mr.version)) {
    reasons.push(`targets ${mr.targetBranch}, not an affected version`);
  }
  return reasons;
}
