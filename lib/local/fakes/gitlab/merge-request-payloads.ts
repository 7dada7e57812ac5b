import { type GitLabHook, type HookBase, hookBase, projectJson, userJson } from './hook-payloads.js';

/** Merge Request Hook payloads in the shape GitLab documents (webhook_events.md); all data invented. */

/** A merge request as a hook describes it. */
export interface HookMergeRequest {
  readonly iid: number;
  readonly id?: number;
  readonly title: string;
  /** Where a security MR references its issue (`#12`, `group/project#12` or a URL). */
  readonly description: string;
  readonly sourceBranch: string;
  readonly targetBranch: string;
  readonly state: 'opened' | 'closed' | 'merged' | 'locked';
  /** Readiness as GitLab reports it; a ready MR when absent. */
  readonly draft?: boolean;
  readonly detailedMergeStatus?: string;
  readonly blockingDiscussionsResolved?: boolean;
  readonly assignees?: readonly string[];
}

/** Input of {@link mergeRequestHook}. */
export interface MergeRequestHookInput extends HookBase {
  readonly mergeRequest: HookMergeRequest;
  readonly action: 'open' | 'close' | 'reopen' | 'update' | 'approved' | 'merge';
}

/** A Merge Request Hook. */
export function mergeRequestHook(input: MergeRequestHookInput): GitLabHook {
  const { instance, at, actor } = hookBase(input);
  const { mergeRequest: mr, project } = input;
  const projectBody = projectJson(project, instance);
  return {
    event: 'Merge Request Hook',
    payload: {
      object_kind: 'merge_request',
      event_type: 'merge_request',
      user: userJson(actor),
      project: projectBody,
      repository: { name: project.path.split('/').at(-1), url: `${instance}/${project.path}.git` },
      object_attributes: {
        id: mr.id ?? 5000 + mr.iid,
        iid: mr.iid,
        target_branch: mr.targetBranch,
        source_branch: mr.sourceBranch,
        source_project_id: project.id,
        target_project_id: project.id,
        author_id: actor.id ?? 1,
        title: mr.title,
        description: mr.description,
        created_at: at,
        updated_at: at,
        state: mr.state,
        state_id: mr.state === 'opened' ? 1 : mr.state === 'closed' ? 2 : 3,
        merge_status: mr.state === 'merged' ? 'can_be_merged' : 'unchecked',
        draft: mr.draft ?? false,
        work_in_progress: mr.draft ?? false,
        detailed_merge_status: mr.detailedMergeStatus ?? (mr.state === 'opened' ? 'mergeable' : 'not_open'),
        blocking_discussions_resolved: mr.blockingDiscussionsResolved ?? true,
        action: input.action,
        url: `${instance}/${project.path}/-/merge_requests/${mr.iid}`,
        source: projectBody,
        target: projectBody,
        labels: [],
      },
      labels: [],
      assignees: (mr.assignees ?? []).map((username, index) => ({
        id: 300 + index,
        name: username,
        username,
      })),
      changes:
        input.action === 'merge'
          ? { state_id: { previous: 1, current: 3 }, updated_at: { previous: at, current: at } }
          : {},
    },
  };
}

/** Input of the opened/merged shortcuts. */
export interface MergeRequestShortcut extends HookBase {
  readonly iid: number;
  readonly title: string;
  readonly description: string;
  readonly sourceBranch: string;
  readonly targetBranch: string;
}

/** A security merge request was opened. */
export function mergeRequestOpenedHook(input: MergeRequestShortcut): GitLabHook {
  return mergeRequestHook({ ...input, action: 'open', mergeRequest: { ...input, state: 'opened' } });
}

/** A security merge request was merged. */
export function mergeRequestMergedHook(input: MergeRequestShortcut): GitLabHook {
  return mergeRequestHook({ ...input, action: 'merge', mergeRequest: { ...input, state: 'merged' } });
}
