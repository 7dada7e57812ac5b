import type { DateTime } from 'luxon';
import { isoOf, millisOf } from './moments.js';
import { counts } from './mr-provenance.js';
import { expandTasks } from './tasks.js';
import type { Playbook, Signal } from './types/playbook.js';
import type {
  MergeRequestState,
  PipelineState,
  ReleaseState,
  TaskState,
  TimelineEntry,
} from './types/release.js';
import { MAIN_LINE } from './versions.js';

/**
 * Observed tasks: the GitLab facts that prove them done (DESIGN.md §3). Re-evaluated after
 * every event, so a task done by a signal reopens when its proof goes away (a new unmerged MR).
 */

/**
 * Environment names that count as a deployment to staging or to production (GitLab.com).
 * Staging matches by prefix (`staging`, `staging-canary`); production by exact name.
 */
export const DEPLOYMENT_ENVIRONMENTS = {
  stagingPrefixes: ['staging'],
  production: ['production', 'gprd', 'gitlab.com'],
} as const;

/** Which kind of environment a deployment went to, by its name. */
export function environmentKind(name: string): 'staging' | 'production' | undefined {
  const lower = name.toLowerCase();
  if (DEPLOYMENT_ENVIRONMENTS.stagingPrefixes.some((prefix) => lower.startsWith(prefix))) return 'staging';
  if ((DEPLOYMENT_ENVIRONMENTS.production as readonly string[]).includes(lower)) return 'production';
  return undefined;
}

/**
 * The release's MRs that count toward a version's fix (`main` for the main line), leaving out closed
 * (abandoned) ones and those that merely mention the issue (see `mr-provenance.ts`).
 */
export function mergeRequestsFor(state: ReleaseState, version: string): MergeRequestState[] {
  return Object.values(state.mergeRequests).filter(
    (mr) => mr.version === version && mr.state !== 'closed' && counts(mr),
  );
}

/** Whether every counted live MR for a version is merged, with at least one; the reason when not. */
export function mergedFor(state: ReleaseState, version: string): { holds: boolean; reason: string } {
  const label = version === MAIN_LINE ? 'the main line' : version;
  const withdrawn = state.replacementNeeded?.[version];
  if (withdrawn !== undefined) {
    return {
      holds: false,
      reason: `${label} has no fix: MR !${withdrawn.iid} was closed unmerged and no replacement was named with /secrel mr`,
    };
  }
  const mrs = mergeRequestsFor(state, version);
  if (mrs.length === 0) return { holds: false, reason: `no security MR for ${label} yet` };
  const unmerged = mrs.filter((mr) => mr.state !== 'merged').map((mr) => `!${mr.iid}`);
  if (unmerged.length > 0)
    return { holds: false, reason: `MR ${unmerged.join(', ')} for ${label} not merged` };
  return { holds: true, reason: '' };
}

/** The latest pipeline of an MR: on its source branch or on its merge-request refs. */
export function latestPipelineOf(state: ReleaseState, mr: MergeRequestState): PipelineState | undefined {
  const refs = [
    mr.sourceBranch,
    `refs/merge-requests/${mr.iid}/head`,
    `refs/merge-requests/${mr.iid}/merge`,
    `refs/merge-requests/${mr.iid}/train`,
  ];
  let latest: PipelineState | undefined;
  for (const ref of refs) {
    const pipeline = state.pipelines[`${mr.projectId}:${ref}`];
    if (pipeline && (!latest || millisOf(pipeline.updatedAt) > millisOf(latest.updatedAt))) latest = pipeline;
  }
  return latest;
}

/** Every live security MR, main line and backports alike, has a green latest pipeline (a red backport reopens it). */
function pipelinesGreen(state: ReleaseState): boolean {
  const mrs = Object.values(state.mergeRequests).filter((mr) => mr.state !== 'closed' && counts(mr));
  return mrs.length > 0 && mrs.every((mr) => latestPipelineOf(state, mr)?.status === 'success');
}

/**
 * A successful deployment of that kind after the fix reached the main line: a deployment made
 * before the last security MR merged cannot carry the fix.
 */
function deployedAfterFix(state: ReleaseState, kind: 'staging' | 'production'): boolean {
  if (!mergedFor(state, MAIN_LINE).holds) return false;
  const mergedAt = Math.max(...mergeRequestsFor(state, MAIN_LINE).map((mr) => millisOf(mr.updatedAt)));
  return Object.values(state.deployments).some(
    (d) =>
      d.status === 'success' && environmentKind(d.environment) === kind && millisOf(d.updatedAt) >= mergedAt,
  );
}

/** Whether a signal holds now, for a version where the task is per version. */
export function signalHolds(state: ReleaseState, signal: Signal, version?: string): boolean {
  switch (signal) {
    case 'release-labelled':
      return true; // the release exists only because the label was seen
    case 'security-mrs-merged':
      return mergedFor(state, MAIN_LINE).holds;
    case 'security-pipelines-green':
      return pipelinesGreen(state);
    case 'backports-merged':
      return version !== undefined && mergedFor(state, version).holds;
    case 'deployed-staging':
      return deployedAfterFix(state, 'staging');
    case 'deployed-production':
      return deployedAfterFix(state, 'production');
    case 'mitigation-issue-closed':
      return state.mitigationIssue?.state === 'closed';
  }
}

/**
 * Marks observed tasks done whose signal now holds, and reopens those done by a signal that no
 * longer holds. Tasks done by a command or waived are left alone.
 */
export function applySignals(
  state: ReleaseState,
  playbook: Playbook,
  now: DateTime,
  actor: string,
): { tasks: Record<string, TaskState>; timeline: TimelineEntry[] } {
  const at = isoOf(now);
  const tasks: Record<string, TaskState> = { ...state.tasks };
  const timeline: TimelineEntry[] = [];
  for (const { key, task, version } of expandTasks(playbook, state.versions)) {
    if (task.completion.kind !== 'observed') continue;
    const current = tasks[key] ?? { status: 'open' };
    const holds = signalHolds(state, task.completion.signal, version);
    if (holds && current.status === 'open') {
      tasks[key] = { ...current, status: 'done', by: actor, at, via: 'signal' };
      timeline.push({
        at,
        kind: 'task-done',
        summary: `${key} done: ${task.completion.signal} observed`,
        actor,
      });
    } else if (!holds && current.status === 'done' && current.via === 'signal') {
      tasks[key] = { status: 'open' };
      timeline.push({
        at,
        kind: 'task-reopened',
        summary: `${key} reopened: ${task.completion.signal} no longer holds`,
      });
    }
  }
  return { tasks, timeline };
}
