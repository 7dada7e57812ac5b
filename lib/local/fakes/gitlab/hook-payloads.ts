/**
 * Builders of webhook payloads in the shapes GitLab documents (webhook_events.md), so the
 * fake GitLab and tests can play GitLab towards secrel. Only the fields a receiver reads, plus
 * the ones that make the payload look like GitLab's, are filled in; all data is invented. This file
 * holds what every hook shares and the issue and note hooks; merge-request-payloads.ts and
 * pipeline-payloads.ts hold the others.
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
export interface HookBase {
  readonly project: HookProject;
  readonly actor?: HookUser;
  /** GitLab's base URL, used in `web_url` and `url` fields. */
  readonly instanceUrl?: string;
  /** ISO time of the event; now when absent. */
  readonly at?: string;
}

const DEFAULT_INSTANCE = 'https://gitlab.example.com';
const DEFAULT_ACTOR: HookUser = { id: 1, username: 'root' };

/** The instance URL, time and actor of a hook, with their defaults. */
export function hookBase(input: HookBase): { instance: string; at: string; actor: HookUser } {
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

/** The `project` object of a hook. */
export function projectJson(project: HookProject, instance: string): Record<string, unknown> {
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

/** The `user` object of a hook. */
export function userJson(user: HookUser): Record<string, unknown> {
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
  const { instance, at, actor } = hookBase(input);
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
  const { at } = hookBase(input);
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
  const { instance, at, actor } = hookBase(input);
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
