/**
 * Builders of webhook payloads in the shapes GitLab documents (webhook_events.md), so the
 * fake GitLab and tests can play GitLab towards secrel. Only the fields a receiver reads, plus
 * the ones that make the payload look like GitLab's, are filled in; all data is invented.
 */

/** `X-Gitlab-Event` header values the fake sends. */
export const HOOK_EVENTS = [
  'Issue Hook',
  'Confidential Issue Hook',
  'Merge Request Hook',
  'Pipeline Hook',
  'Note Hook',
  'Confidential Note Hook',
  'Deployment Hook',
  'Release Hook',
  'Tag Push Hook',
] as const;

/** One `X-Gitlab-Event` header value. */
export type HookEvent = (typeof HOOK_EVENTS)[number];

/** A webhook ready to send: its event header and JSON payload. */
export interface GitLabHook {
  readonly event: HookEvent;
  readonly payload: Readonly<Record<string, unknown>>;
}

/** The project a hook is about. */
export interface HookProject {
  readonly id: number;
  /** `group/project`. */
  readonly path: string;
  readonly defaultBranch?: string;
  /** GitLab's `visibility_level`: 0 private (default), 10 internal, 20 public. */
  readonly visibilityLevel?: 0 | 10 | 20;
}

/** Who caused the event. */
export interface HookUser {
  readonly id?: number;
  readonly username: string;
}

/** Fields every builder accepts. */
interface HookBase {
  readonly project: HookProject;
  readonly actor?: HookUser;
  /** GitLab's base URL, used in `web_url` and `url` fields. */
  readonly instanceUrl?: string;
  /** ISO time of the event; now when absent. */
  readonly at?: string;
}

const DEFAULT_INSTANCE = 'https://gitlab.example.com';
const DEFAULT_ACTOR: HookUser = { id: 1, username: 'root' };

function base(input: HookBase): { instance: string; at: string; actor: HookUser } {
  return {
    instance: (input.instanceUrl ?? DEFAULT_INSTANCE).replace(/\/$/, ''),
    at: input.at ?? new Date().toISOString(),
    actor: input.actor ?? DEFAULT_ACTOR,
  };
}

/** Rails' default time form (`2016-08-12 15:23:28 UTC`), which pipeline and note hooks use. */
export function railsTime(iso: string): string {
  return `${new Date(iso).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

function projectJson(project: HookProject, instance: string): Record<string, unknown> {
  const webUrl = `${instance}/${project.path}`;
  return {
    id: project.id,
    name: project.path.split('/').at(-1),
    web_url: webUrl,
    avatar_url: null,
    git_ssh_url: `git@${new URL(instance).host}:${project.path}.git`,
    git_http_url: `${webUrl}.git`,
    namespace: project.path.split('/')[0],
    visibility_level: project.visibilityLevel ?? 0,
    path_with_namespace: project.path,
    default_branch: project.defaultBranch ?? 'main',
    homepage: webUrl,
    url: `${webUrl}.git`,
  };
}

function userJson(user: HookUser): Record<string, unknown> {
  return {
    id: user.id ?? 1,
    name: user.username,
    username: user.username,
    avatar_url: null,
    email: '[REDACTED]',
  };
}

function labelJson(title: string, index: number, projectId: number, at: string): Record<string, unknown> {
  return {
    id: 200 + index,
    title,
    color: '#dc143c',
    project_id: projectId,
    created_at: at,
    updated_at: at,
    template: false,
    description: null,
    type: 'ProjectLabel',
    group_id: null,
  };
}

/** An issue as a hook describes it. */
export interface HookIssue {
  readonly iid: number;
  readonly id?: number;
  readonly title: string;
  readonly description?: string;
  readonly confidential: boolean;
  readonly labels: readonly string[];
  readonly state: 'opened' | 'closed';
  readonly createdAt?: string;
}

/** Input of {@link issueHook}. */
export interface IssueHookInput extends HookBase {
  readonly issue: HookIssue;
  readonly action: 'open' | 'close' | 'reopen' | 'update';
  /** GitLab's `changes` object: field → `{ previous, current }`. */
  readonly changes?: Readonly<Record<string, { previous: unknown; current: unknown }>>;
}

/**
 * An Issue Hook. A confidential issue goes out as `Confidential Issue Hook` with
 * `event_type: confidential_issue`, as GitLab's data builder does.
 */
export function issueHook(input: IssueHookInput): GitLabHook {
  const { instance, at, actor } = base(input);
  const { issue, project } = input;
  const labels = issue.labels.map((title, index) => labelJson(title, index, project.id, at));
  const confidential = issue.confidential;
  return {
    event: confidential ? 'Confidential Issue Hook' : 'Issue Hook',
    payload: {
      object_kind: 'issue',
      event_type: confidential ? 'confidential_issue' : 'issue',
      user: userJson(actor),
      project: projectJson(project, instance),
      object_attributes: {
        id: issue.id ?? 1000 + issue.iid,
        iid: issue.iid,
        title: issue.title,
        description: issue.description ?? '',
        project_id: project.id,
        author_id: actor.id ?? 1,
        assignee_ids: [],
        created_at: issue.createdAt ?? at,
        updated_at: at,
        updated_by_id: actor.id ?? 1,
        confidential,
        state: issue.state,
        state_id: issue.state === 'opened' ? 1 : 2,
        action: input.action,
        type: 'Issue',
        url: `${instance}/${project.path}/-/issues/${issue.iid}`,
        labels,
      },
      repository: { name: project.path.split('/').at(-1), url: `${instance}/${project.path}.git` },
      assignees: [],
      labels,
      changes: {
        updated_at: { previous: at, current: at },
        ...input.changes,
      },
    },
  };
}

/** Input of {@link issueLabelledHook}. */
export interface IssueLabelledInput extends HookBase {
  readonly iid: number;
  readonly title: string;
  /** The label just added (secrel's release label). */
  readonly label: string;
  readonly previousLabels?: readonly string[];
  /** Defaults to true: a security report is a confidential issue. */
  readonly confidential?: boolean;
}

/** A confidential issue receiving a label: how a release starts. */
export function issueLabelledHook(input: IssueLabelledInput): GitLabHook {
  const { at } = base(input);
  const previous = input.previousLabels ?? [];
  const current = [...previous, input.label];
  return issueHook({
    ...input,
    at,
    action: 'update',
    issue: {
      iid: input.iid,
      title: input.title,
      confidential: input.confidential ?? true,
      labels: current,
      state: 'opened',
    },
    changes: {
      labels: {
        previous: previous.map((title, index) => labelJson(title, index, input.project.id, at)),
        current: current.map((title, index) => labelJson(title, index, input.project.id, at)),
      },
    },
  });
}

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
  const { instance, at, actor } = base(input);
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

/** Input of {@link pipelineHook}. */
export interface PipelineHookInput extends HookBase {
  readonly pipelineId: number;
  readonly ref: string;
  readonly status: 'created' | 'pending' | 'running' | 'success' | 'failed' | 'canceled' | 'manual';
  /** Pipeline variables; secrel's pipelines carry `SECREL_RELEASE_ID` and `SECREL_ACTION`. */
  readonly variables?: Readonly<Record<string, string>>;
  /** `api` for pipelines created through the API, `push` for branch pushes. */
  readonly source?: string;
  readonly sha?: string;
}

/** A Pipeline Hook. */
export function pipelineHook(input: PipelineHookInput): GitLabHook {
  const { instance, at, actor } = base(input);
  const finished = ['success', 'failed', 'canceled'].includes(input.status);
  return {
    event: 'Pipeline Hook',
    payload: {
      object_kind: 'pipeline',
      object_attributes: {
        id: input.pipelineId,
        iid: input.pipelineId,
        name: null,
        ref: input.ref,
        tag: false,
        sha: input.sha ?? 'bcbb5ec396a2c0f828686f14fac9b80b780504f2',
        before_sha: '0000000000000000000000000000000000000000',
        source: input.source ?? 'api',
        status: input.status,
        detailed_status: input.status === 'success' ? 'passed' : input.status,
        stages: ['build', 'test', 'publish'],
        created_at: railsTime(at),
        finished_at: finished ? railsTime(at) : null,
        duration: finished ? 60 : null,
        queued_duration: 1,
        variables: Object.entries(input.variables ?? {}).map(([key, value]) => ({ key, value })),
        url: `${instance}/${input.project.path}/-/pipelines/${input.pipelineId}`,
      },
      merge_request: null,
      user: userJson(actor),
      project: projectJson(input.project, instance),
      commit: {
        id: input.sha ?? 'bcbb5ec396a2c0f828686f14fac9b80b780504f2',
        message: 'Security fix\n',
        timestamp: at,
        url: `${instance}/${input.project.path}/-/commit/${input.sha ?? 'bcbb5ec3'}`,
        author: { name: actor.username, email: '[REDACTED]' },
      },
      builds: [],
    },
  };
}

/** Input of {@link deploymentHook}. */
export interface DeploymentHookInput extends HookBase {
  readonly deploymentId: number;
  /** `staging`, `production`, `gprd`, ... */
  readonly environment: string;
  readonly status: 'running' | 'success' | 'failed' | 'canceled';
  readonly ref?: string;
}

/** A Deployment Hook. */
export function deploymentHook(input: DeploymentHookInput): GitLabHook {
  const { instance, at, actor } = base(input);
  const webUrl = `${instance}/${input.project.path}`;
  return {
    event: 'Deployment Hook',
    payload: {
      object_kind: 'deployment',
      status: input.status,
      status_changed_at: railsTime(at),
      deployment_id: input.deploymentId,
      deployable_id: 9000 + input.deploymentId,
      deployable_url: `${webUrl}/-/jobs/${9000 + input.deploymentId}`,
      environment: input.environment,
      environment_tier: input.environment,
      environment_slug: input.environment,
      environment_external_url: null,
      project: projectJson(input.project, instance),
      short_sha: 'bcbb5ec3',
      user: userJson(actor),
      user_url: `${instance}/${actor.username}`,
      commit_url: `${webUrl}/-/commit/bcbb5ec396a2c0f828686f14fac9b80b780504f2`,
      commit_title: 'Security release',
      ref: input.ref ?? input.project.defaultBranch ?? 'main',
    },
  };
}

/** Input of {@link issueNoteHook}. */
export interface IssueNoteInput extends HookBase {
  readonly noteId: number;
  readonly issueIid: number;
  readonly issueId?: number;
  /** The comment, e.g. `/secrel done validate-fixes`. */
  readonly body: string;
  /** A comment on a confidential issue goes out as `Confidential Note Hook`. */
  readonly confidential: boolean;
  readonly issueTitle?: string;
}

/** A comment on an issue (a `/secrel ...` command, say). */
export function issueNoteHook(input: IssueNoteInput): GitLabHook {
  const { instance, at, actor } = base(input);
  const issueId = input.issueId ?? 1000 + input.issueIid;
  const issueUrl = `${instance}/${input.project.path}/-/issues/${input.issueIid}`;
  return {
    event: input.confidential ? 'Confidential Note Hook' : 'Note Hook',
    payload: {
      object_kind: 'note',
      event_type: input.confidential ? 'confidential_note' : 'note',
      user: userJson(actor),
      project_id: input.project.id,
      project: projectJson(input.project, instance),
      repository: {
        name: input.project.path.split('/').at(-1),
        url: `${instance}/${input.project.path}.git`,
      },
      object_attributes: {
        id: input.noteId,
        note: input.body,
        noteable_type: 'Issue',
        author_id: actor.id ?? 1,
        created_at: railsTime(at),
        updated_at: railsTime(at),
        project_id: input.project.id,
        noteable_id: issueId,
        system: false,
        internal: false,
        confidential: input.confidential,
        action: 'create',
        url: `${issueUrl}#note_${input.noteId}`,
      },
      issue: {
        id: issueId,
        iid: input.issueIid,
        title: input.issueTitle ?? 'Security release',
        project_id: input.project.id,
        confidential: input.confidential,
        state: 'opened',
        labels: [],
        url: issueUrl,
      },
    },
  };
}
