import type { DateTime } from 'luxon';
import type { MetricName } from './core/metric-names.js';
import type { DesiredHook, HookTrigger, ProjectHookView } from './core/setup/index.js';
import type { MergeRequestReadiness } from './core/types/events.js';
import type { ActionRecord, ReleaseState, TimelineEntry } from './core/types/release.js';
import type { DeliverableEffect } from './core/types/workflow.js';

/**
 * The interfaces the core needs from the world (DESIGN.md §2). Adapters implement them:
 * DynamoDB, gitbeaker, Step Functions, notifications, logs and counts; local mode swaps in its own.
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
  /** Routing keys that stop pointing at this release (an aborted release gives up its projects). */
  readonly droppedRoutingKeys?: readonly string[];
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

/**
 * What `secrel connect` needs from GitLab's API to check and set up the GitLab side: the token,
 * projects, users, branches and project hooks. `lib/adapters/gitlab/setup-client.ts` implements
 * it with gitbeaker; the fake GitLab answers it in tests. Failures throw an error whose message
 * is one line without the token.
 */
export interface GitLabSetupApi {
  /** The token's user (`GET /user`). */
  currentUser(): Promise<{ readonly username: string; readonly isAdmin: boolean }>;
  /** The token itself (`GET /personal_access_tokens/self`); undefined when GitLab cannot say. */
  token(): Promise<TokenView | undefined>;
  /** A project by id or path with the token user's access; undefined when GitLab does not show it. */
  project(ref: number | string): Promise<ProjectView | undefined>;
  /** A user by username (`GET /users?username=`); undefined when there is none. */
  user(username: string): Promise<UserView | undefined>;
  /** Names of the project's protected branches (wildcard rules included as written). */
  protectedBranches(project: number | string): Promise<string[]>;
  /** Branches whose names match `pattern` (`GET .../repository/branches?regex=`). */
  branchesMatching(project: number | string, pattern: string): Promise<string[]>;
  /** The project's hooks. */
  hooks(project: number | string): Promise<ProjectHookView[]>;
  /** Adds a hook with the secret token and all of secrel's triggers. */
  addHook(project: number | string, hook: HookWithSecret): Promise<ProjectHookView>;
  /** Sets a hook's URL, secret token, triggers and SSL verification. */
  editHook(project: number | string, hookId: number, hook: HookWithSecret): Promise<ProjectHookView>;
  /** Asks GitLab to send a test delivery of `trigger` to the hook and says how the receiver answered. */
  testHook(project: number | string, hookId: number, trigger: TestTrigger): Promise<TestDelivery>;
}

/** An access token as GitLab describes it. */
export interface TokenView {
  readonly scopes: readonly string[];
  readonly active: boolean;
  /** `YYYY-MM-DD`, or null when it never expires. */
  readonly expiresAt: string | null;
}

/** A project and what the token's user may do there. */
export interface ProjectView {
  readonly id: number;
  readonly path: string;
  readonly defaultBranch: string | null;
  /** The higher of the user's project and group access levels; undefined when not a member. */
  readonly accessLevel: number | undefined;
}

/** A GitLab user; `state` is `active`, `blocked`, `deactivated`, ... */
export interface UserView {
  readonly id: number;
  readonly username: string;
  readonly state: string;
}

/** The hook secrel wants plus the secret GitLab sends as `X-Gitlab-Token` (never printed). */
export interface HookWithSecret extends DesiredHook {
  readonly secret: string;
}

/** Triggers a test delivery can be asked for. `push_events` works in any project with a commit. */
export type TestTrigger = HookTrigger | 'push_events';

/** How the receiver answered a test delivery. */
export interface TestDelivery {
  /** True when the receiver answered 2xx: secrel accepted the secret. */
  readonly received: boolean;
  /** GitLab's one-line account when not received. */
  readonly detail: string;
}

/**
 * Takes the deliverable effects of a committed change (replies, notices, the living description,
 * the setup check): slow, so they must not hold up the webhook's answer. Must return quickly and
 * never performs them inline: local mode queues them, on AWS the actions function is invoked
 * asynchronously.
 */
export interface EffectDispatcher {
  dispatch(releaseId: string, effects: readonly DeliverableEffect[]): Promise<void>;
}

/** Values a log line may carry: safe fields only (ids, kinds, statuses, counts). */
export type LogFields = Readonly<Record<string, string | number | boolean | undefined>>;

/** Where secrel writes its operational log. */
export interface Logger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

/** Dimensions of one count: low-cardinality names only (an outcome, a reason code, a step). */
export type MetricDimensions = Readonly<Record<string, string>>;

/** Where secrel's counts go (CloudWatch on AWS; nowhere in local mode). */
export interface Metrics {
  /** Adds `value` (1 by default) to `name` under `dimensions`. */
  count(name: MetricName, value?: number, dimensions?: MetricDimensions): void;
  /** Records the level `name` stands at now (graphed as its maximum per period). */
  level(name: MetricName, value: number): void;
}
