import { configuredProject } from '../core/config.js';
import { apply } from '../core/release/apply.js';
import type { ReleaseContext } from '../core/transitions.js';
import type { GitLabEvent, IssueEvent, MergeRequestEvent, PipelineEvent } from '../core/types/events.js';
import type { ReleaseState, TaskPipeline } from '../core/types/release.js';
import type { GitLabIssue, GitLabMergeRequest, GitLabPipeline } from '../ports.js';
import { transition } from './steps/release-state.js';
import type { RuntimeDeps } from './types.js';

/**
 * Reconciliation (issue #10, DESIGN.md §6): when the machine wakes anyway (a reminder, an
 * escalation, a phase start) and when local mode resumes a release, secrel reads back from GitLab
 * what it waits on — the pipelines it started, the release's open MRs, the open mitigation issue —
 * and applies what a lost webhook would have said through the very rule a webhook goes through
 * (`apply`), so provenance holds: only the pipeline recorded on the task completes it, and an MR
 * counts as a fix only when named or merged by a fix role. No polling loop: nothing here runs
 * except at those moments, and what GitLab already reported as settled is not asked again.
 */

/** Pipeline statuses a webhook already reported for good: nothing left to read back. */
const SETTLED = new Set(['success', 'failed', 'canceled', 'skipped']);

/** Pipelines of open tasks whose outcome secrel has not heard yet. */
export function pipelinesToReadBack(state: ReleaseState): TaskPipeline[] {
  if (state.status === 'completed' || state.status === 'aborted') return [];
  return Object.values(state.tasks).flatMap((task) =>
    task.status !== 'done' && task.lastPipeline && !SETTLED.has(task.lastPipeline.status)
      ? [task.lastPipeline]
      : [],
  );
}

/** The Pipeline Hook GitLab would have sent for what it answers now. */
export function pipelineEventOf(pipeline: GitLabPipeline): PipelineEvent {
  return {
    kind: 'pipeline',
    projectId: pipeline.projectId,
    projectPath: pipeline.projectPath,
    pipelineId: pipeline.id,
    ref: pipeline.ref,
    status: pipeline.status,
    source: pipeline.source,
    variables: pipeline.variables,
    updatedAt: pipeline.updatedAt,
  };
}

/** The release's MRs GitLab may have merged or closed unheard: open ones, and those named but never seen. */
export function mergeRequestsToReadBack(state: ReleaseState): { projectId: number; iid: number }[] {
  if (state.status === 'completed' || state.status === 'aborted') return [];
  const open = Object.values(state.mergeRequests)
    .filter((mr) => mr.state === 'opened' || mr.state === 'locked')
    .map(({ projectId, iid }) => ({ projectId, iid }));
  const named = (state.linkedMergeRequests ?? [])
    .filter((key) => state.mergeRequests[key] === undefined)
    .flatMap((key) => {
      const [projectId, iid] = key.split('!').map(Number);
      return projectId && iid ? [{ projectId, iid }] : [];
    });
  return [...open, ...named];
}

/** The Merge Request Hook GitLab would have sent for what it answers now. */
export function mergeRequestEventOf(mr: GitLabMergeRequest, projectPath: string): MergeRequestEvent {
  return {
    kind: 'merge_request',
    projectId: mr.projectId,
    projectPath,
    iid: mr.iid,
    state: mr.state,
    action: mr.state === 'merged' ? 'merge' : mr.state === 'closed' ? 'close' : undefined,
    sourceBranch: mr.sourceBranch,
    targetBranch: mr.targetBranch,
    title: mr.title,
    description: mr.description,
    url: mr.url,
    updatedAt: mr.updatedAt,
    // The hook's `user` is who acted: who merged it, else (unknown) its author.
    actor: mr.state === 'merged' ? (mr.mergedBy ?? mr.author) : mr.author,
    readiness: mr.readiness,
  };
}

/** The Issue Hook GitLab would have sent for the mitigation issue as it is now. */
export function issueEventOf(
  issue: GitLabIssue,
  ref: { projectId: number; iid: number },
  projectPath: string,
): IssueEvent {
  return {
    kind: 'issue',
    projectId: ref.projectId,
    projectPath,
    iid: ref.iid,
    confidential: issue.confidential,
    labels: [],
    state: issue.state,
    action: undefined,
    addedLabels: [],
    url: issue.url,
    updatedAt: issue.updatedAt,
    actor: 'gitlab',
  };
}

/** What one reconciliation did: pipelines read back and how many changed the release. */
export interface Reconciled {
  readonly read: number;
  readonly applied: number;
}

/** One thing to read back: a name for the log (never content) and how to ask GitLab for its event. */
interface ReadBack {
  readonly what: string;
  readonly read: () => Promise<GitLabEvent>;
}

/** Everything the release waits on that GitLab may have changed unheard. */
function readBacksOf(deps: RuntimeDeps, state: ReleaseState): ReadBack[] {
  // A finished release waits on nothing: no read at all.
  if (state.status === 'completed' || state.status === 'aborted') return [];
  const pathOf = (projectId: number) => configuredProject(deps.config, projectId)?.path ?? '';
  const pipelines = pipelinesToReadBack(state).map((started) => ({
    what: `pipeline ${started.pipelineId}`,
    read: async () => pipelineEventOf(await deps.gitlab.getPipeline(started.projectId, started.pipelineId)),
  }));
  const mergeRequests = mergeRequestsToReadBack(state).map((mr) => ({
    what: `MR !${mr.iid} in project ${mr.projectId}`,
    read: async () =>
      mergeRequestEventOf(await deps.gitlab.getMergeRequest(mr.projectId, mr.iid), pathOf(mr.projectId)),
  }));
  const mitigation = state.mitigationIssue;
  const issues =
    mitigation === undefined || mitigation.state === 'closed'
      ? []
      : [
          {
            what: `mitigation issue #${mitigation.iid}`,
            read: async () =>
              issueEventOf(
                await deps.gitlab.getIssue(mitigation.projectId, mitigation.iid),
                mitigation,
                pathOf(mitigation.projectId),
              ),
          },
        ];
  return [...pipelines, ...mergeRequests, ...issues];
}

/**
 * Reads back what the release waits on and applies GitLab's answers. Best effort: a read that
 * fails is logged (by name only) and left to the next wake-up, so the step that woke the machine
 * still does its own work.
 */
export async function reconcileRelease(deps: RuntimeDeps, releaseId: string): Promise<Reconciled> {
  let read = 0;
  let applied = 0;
  try {
    const state = await deps.store.get(releaseId);
    if (!state) return { read, applied };
    for (const item of readBacksOf(deps, state)) {
      let event: GitLabEvent;
      try {
        event = await item.read();
      } catch (err) {
        deps.logger.warn('reconciliation read failed', {
          releaseId,
          read: item.what,
          error: err instanceof Error ? err.name : 'unknown',
        });
        continue;
      }
      read += 1;
      let changed = false;
      await transition(deps, releaseId, (current) => {
        const ctx: ReleaseContext = { config: deps.config, playbook: deps.playbook, now: deps.clock.now() };
        const result = apply(current, event, ctx);
        changed = result.changed;
        return result;
      });
      if (changed) {
        applied += 1;
        deps.logger.info('reconciled from GitLab', { releaseId, read: item.what });
      }
    }
  } catch (err) {
    deps.logger.warn('reconciliation failed', {
      releaseId,
      error: err instanceof Error ? err.name : 'unknown',
    });
  }
  return { read, applied };
}
