import type { DateTime } from 'luxon';
import type { MergeRequestReadiness } from './core/types/events.js';
import type { ActionRecord, ReleaseState, TimelineEntry } from './core/types/release.js';

/**
 * The interfaces the core needs from the world (DESIGN.md §2). Adapters implement them:
 * DynamoDB, gitbeaker, Step Functions, notifications; local mode swaps in its own.
 */

/** The release clock. Local mode runs it faster than real time. */
export interface Clock {
  now(): DateTime;
}

/** What {@link ReleaseStore.commit} writes, in one transaction. */
export interface ReleaseCommit {
  /** The new state; its `revision` must be the stored revision + 1 (1 for a new release). */
  readonly state: ReleaseState;
  readonly timeline: readonly TimelineEntry[];
  /** Delivery key of the webhook that caused the change; the commit fails if it was seen before. */
  readonly deliveryKey?: string;
  /** Routing keys (see `lib/core/routing.ts`) that should point at this release from now on. */
  readonly routingKeys?: readonly string[];
  /**
   * Routing keys that must no longer point at this release (a completed release's projects),
   * removed in the same transaction, so only if the state write (conditioned on its revision) lands.
   */
  readonly droppedRoutingKeys?: readonly string[];
}

/** One delivery a batch commit records. */
export interface BatchDelivery {
  /** Key written, conditioned on being new. */
  readonly key: string;
  /** Keys that must not be recorded either (checked, not written): a resend under another scope. */
  readonly absentKeys?: readonly string[];
}

/**
 * Several deliveries to one release, applied in order in memory and written in ONE transaction:
 * the state once, each delivery, each change's timeline under the revision it produced.
 */
export interface ReleaseBatchCommit {
  readonly releaseId: string;
  /** Stored revision the batch was applied to (0: no release yet); the commit fails if it moved. */
  readonly baseRevision: number;
  /** The state after the last change; absent when no delivery changed the release. */
  readonly state?: ReleaseState;
  /** Timeline entries of each change, under the revision that change produced. */
  readonly timeline: readonly { readonly revision: number; readonly entries: readonly TimelineEntry[] }[];
  readonly deliveries: readonly BatchDelivery[];
  /** Routing keys that should point at this release from now on. */
  readonly routingKeys?: readonly string[];
}

/** Raised when a commit raced with another change to the same release: read again and retry. */
export class RevisionConflictError extends Error {
  override readonly name = 'RevisionConflictError';
}

/** Raised when a delivery key was already recorded: the event is a duplicate. */
export class DuplicateDeliveryError extends Error {
  override readonly name = 'DuplicateDeliveryError';
}

/** Raised when deliveries of a batch were recorded before; nothing of the batch is written. */
export class DuplicateDeliveriesError extends DuplicateDeliveryError {
  /** Positions in the batch's `deliveries` found recorded (at least one). */
  readonly indexes: readonly number[];
  constructor(message: string, indexes: readonly number[], options?: ErrorOptions) {
    super(message, options);
    this.indexes = indexes;
  }
}

/** Outcome of claiming an automated action before performing it. */
export type ActionClaim =
  | { readonly claimed: true; readonly record: ActionRecord }
  | { readonly claimed: false; readonly record: ActionRecord };

/** Release state, timeline, deliveries and action records: one DynamoDB table on AWS. */
export interface ReleaseStore {
  get(releaseId: string): Promise<ReleaseState | undefined>;
  /** Release ids a routing key points at. */
  resolve(routingKey: string): Promise<readonly string[]>;
  /** Writes state, timeline, delivery key and routing keys atomically. */
  commit(commit: ReleaseCommit): Promise<void>;
  /**
   * Writes several deliveries to one release atomically, conditioned on its revision.
   * @throws RevisionConflictError when the release moved; DuplicateDeliveriesError when a delivery was seen.
   */
  commitBatch(batch: ReleaseBatchCommit): Promise<void>;
  /** Records a delivery that changed no release, so a duplicate is recognised. */
  recordDelivery(deliveryKey: string): Promise<void>;
  hasDelivery(deliveryKey: string): Promise<boolean>;
  listReleases(): Promise<readonly ReleaseState[]>;
  timeline(releaseId: string): Promise<readonly TimelineEntry[]>;
  /** Records an action as started unless a record exists; returns the existing one otherwise. */
  claimAction(record: ActionRecord): Promise<ActionClaim>;
  finishAction(record: ActionRecord): Promise<void>;
  /**
   * Claims again a failed or cut-off action, only while its stored attempt is `expectedAttempt`
   * and it has not succeeded: of concurrent re-claims exactly one gets `claimed: true`.
   */
  reclaimAction(record: ActionRecord, expectedAttempt: number): Promise<ActionClaim>;
  listActions(releaseId: string): Promise<readonly ActionRecord[]>;
}

/** The calls secrel makes to GitLab. */
export interface GitLabApi {
  createIssue(
    project: number | string,
    issue: { title: string; description: string; confidential: boolean; labels?: readonly string[] },
  ): Promise<{ iid: number; url: string }>;
  /** An issue's description and `updated_at`, read before secrel rewrites its own section. */
  getIssue(project: number | string, iid: number): Promise<GitLabIssue>;
  /** A merge request as GitLab has it now, read back when its hook may have been lost. */
  getMergeRequest(project: number | string, iid: number): Promise<GitLabMergeRequest>;
  editIssue(
    project: number | string,
    iid: number,
    change: { confidential?: boolean; stateEvent?: 'close' | 'reopen'; description?: string },
  ): Promise<void>;
  createIssueNote(project: number | string, iid: number, body: string): Promise<{ id: number }>;
  /** Comments on a merge request (the readiness nudge to its author and assignees). */
  createMergeRequestNote(project: number | string, iid: number, body: string): Promise<{ id: number }>;
  linkIssues(
    project: number | string,
    iid: number,
    targetProject: number | string,
    targetIid: number,
  ): Promise<void>;
  createBranch(project: number | string, branch: string, ref: string): Promise<void>;
  createMergeRequest(
    project: number | string,
    mr: {
      sourceBranch: string;
      targetBranch: string;
      title: string;
      description: string;
      assignees: readonly string[];
    },
  ): Promise<{ iid: number; url: string }>;
  /**
   * Starts a pipeline. `projectId` is the numeric id GitLab answers for the project given (by id
   * or path): what the pipeline's webhook will carry, so provenance can match a path target.
   */
  createPipeline(
    project: number | string,
    ref: string,
    variables: Readonly<Record<string, string>>,
  ): Promise<{ id: number; url: string; projectId?: number }>;
  /**
   * Reads back a pipeline secrel started (status and its `SECREL_…` variables), so a wake-up can
   * apply what a lost webhook would have said. A pipeline GitLab no longer knows is a permanent error.
   */
  getPipeline(project: number | string, pipelineId: number): Promise<GitLabPipeline>;
  /**
   * The newest pipeline on `ref` started through the API whose `SECREL_…` variables are these, or
   * undefined: how a start cut off before secrel stored GitLab's answer finds what it made.
   */
  findPipeline(
    project: number | string,
    ref: string,
    variables: Readonly<Record<string, string>>,
  ): Promise<{ id: number; projectId: number } | undefined>;
}

/** An issue as GitLab answers it today. Its title and description are never logged. */
export interface GitLabIssue {
  readonly description: string;
  readonly updatedAt: string;
  readonly state: 'opened' | 'closed';
  readonly confidential: boolean;
  readonly url: string;
}

/** A merge request as GitLab answers it today: what a lost Merge Request Hook would have said. */
export interface GitLabMergeRequest {
  readonly projectId: number;
  readonly iid: number;
  readonly state: 'opened' | 'closed' | 'merged' | 'locked';
  readonly title: string;
  readonly description: string;
  readonly sourceBranch: string;
  readonly targetBranch: string;
  readonly url: string;
  readonly updatedAt: string;
  /** Who opened it (username). */
  readonly author: string;
  /** Who merged it (username), once merged. */
  readonly mergedBy: string | undefined;
  readonly readiness: MergeRequestReadiness;
}

/** A pipeline as GitLab answers it today. */
export interface GitLabPipeline {
  readonly id: number;
  readonly projectId: number;
  /** The project's full path, read from the pipeline's web URL. */
  readonly projectPath: string;
  readonly ref: string;
  readonly status: string;
  readonly source: string | undefined;
  readonly updatedAt: string;
  /** Only the `SECREL_…` variables: other variables may hold tokens. */
  readonly variables: Readonly<Record<string, string>>;
}

/** The state machine runtime: Step Functions on AWS, the local engine locally. */
export interface Workflow {
  /** Starts the release's execution; the execution name is the release id, so a second start is refused. */
  start(releaseId: string, input: Readonly<Record<string, unknown>>): Promise<void>;
  sendTaskSuccess(token: string, output: Readonly<Record<string, unknown>>): Promise<void>;
  sendTaskFailure(token: string, error: string, cause: string): Promise<void>;
  stop(releaseId: string, reason: string): Promise<void>;
}

/** Channels outside GitLab (Slack). Messages must be free of confidential detail. */
export interface Notifier {
  notify(message: string): Promise<void>;
}

/** The version server that lists releases (`POST /api/v1/versions`). */
export interface VersionServer {
  addVersion(entry: { version: string; security: boolean; releasedAt: string }): Promise<void>;
}

/** HackerOne, for reports linked to a release: documented customer API calls only. */
export interface HackerOne {
  comment(reportId: string, message: string): Promise<void>;
}
