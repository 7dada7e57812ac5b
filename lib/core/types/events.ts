/**
 * GitLab events as the core sees them: normalized from the webhook payloads by
 * `lib/core/events/` so the release rules never read raw payload shapes.
 */

/** An issue (or confidential issue) was opened, updated, closed or reopened. */
export interface IssueEvent {
  readonly kind: 'issue';
  readonly projectId: number;
  readonly projectPath: string;
  readonly iid: number;
  readonly confidential: boolean;
  readonly labels: readonly string[];
  readonly state: 'opened' | 'closed';
  readonly action: string | undefined;
  /** Labels added by this event (from `changes.labels`), empty when unknown. */
  readonly addedLabels: readonly string[];
  readonly url: string;
  readonly updatedAt: string;
  readonly actor: string;
  /** The description before and after, when this event changed it (`changes.description`). */
  readonly descriptionChange?: { readonly previous: string; readonly current: string };
}

/** A merge request changed. Title and description are read only to find references; never logged. */
export interface MergeRequestEvent {
  readonly kind: 'merge_request';
  readonly projectId: number;
  readonly projectPath: string;
  readonly iid: number;
  readonly state: 'opened' | 'closed' | 'merged' | 'locked';
  readonly action: string | undefined;
  readonly sourceBranch: string;
  readonly targetBranch: string;
  readonly title: string;
  readonly description: string;
  readonly url: string;
  readonly updatedAt: string;
  readonly actor: string;
  /** Readiness fields of the hook (see `lib/core/readiness.ts`); absent when GitLab did not send them. */
  readonly readiness?: MergeRequestReadiness;
  /**
   * Whether the MR's project is public (`project.visibility_level` 20 or `visibility` `public`);
   * absent when the hook says neither. A release's MR seen public breaks the embargo.
   */
  readonly projectPublic?: boolean;
}

/** What a Merge Request Hook says about whether the MR can be merged. */
export interface MergeRequestReadiness {
  /** `draft`, or the older `work_in_progress`. */
  readonly draft?: boolean;
  /** GitLab's `detailed_merge_status` (`mergeable`, `not_approved`, `conflict`, ...). */
  readonly detailedMergeStatus?: string;
  readonly blockingDiscussionsResolved?: boolean;
  /** Usernames of the assignees (`assignees[].username`). */
  readonly assignees?: readonly string[];
}

/** A pipeline changed status. */
export interface PipelineEvent {
  readonly kind: 'pipeline';
  readonly projectId: number;
  readonly projectPath: string;
  readonly pipelineId: number;
  readonly ref: string;
  readonly status: string;
  readonly source: string | undefined;
  /**
   * Pipeline variables named `SECREL_…`; secrel tags the pipelines it starts with `SECREL_RELEASE_ID` and
   * `SECREL_ACTION`. Other variables are dropped at parsing: they may hold tokens.
   */
  readonly variables: Readonly<Record<string, string>>;
  readonly updatedAt: string;
  /** Who ran the pipeline, when the hook names a user. */
  readonly actor?: string;
}

/** A comment on an issue or merge request. */
export interface NoteEvent {
  readonly kind: 'note';
  readonly projectId: number;
  readonly projectPath: string;
  readonly noteId: number;
  readonly noteableType: 'Issue' | 'MergeRequest' | 'Commit' | 'Snippet';
  /** The iid of the issue or merge request commented on, when there is one. */
  readonly noteableIid: number | undefined;
  readonly confidential: boolean;
  readonly body: string;
  readonly url: string;
  readonly createdAt: string;
  readonly actor: string;
  /** `create` or `update`: an edited comment must not run its command twice. */
  readonly action?: string;
  /** True for GitLab's own notes ("added label …"), which are never commands. */
  readonly system?: boolean;
}

/** A deployment changed status. */
export interface DeploymentEvent {
  readonly kind: 'deployment';
  readonly projectId: number;
  readonly projectPath: string;
  readonly deploymentId: number;
  readonly environment: string;
  readonly status: string;
  /** Branch or tag deployed; older GitLab (and its documented example) does not send it. */
  readonly ref?: string;
  readonly updatedAt: string;
}

/** A release was created, updated or deleted in GitLab. */
export interface ReleaseHookEvent {
  readonly kind: 'release';
  readonly projectId: number;
  readonly projectPath: string;
  readonly tag: string;
  readonly action: string;
  readonly updatedAt: string;
}

/** A tag was pushed. */
export interface TagPushEvent {
  readonly kind: 'tag_push';
  readonly projectId: number;
  readonly projectPath: string;
  /** The full ref, `refs/tags/v17.5.2`. */
  readonly ref: string;
  /** The tag name, `v17.5.2`. */
  readonly tag?: string;
  /** True when the push deleted the tag. */
  readonly deleted?: boolean;
  readonly updatedAt: string;
}

/** Any GitLab event secrel understands. */
export type GitLabEvent =
  | IssueEvent
  | MergeRequestEvent
  | PipelineEvent
  | NoteEvent
  | DeploymentEvent
  | ReleaseHookEvent
  | TagPushEvent;
