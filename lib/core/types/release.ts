import type { ActionKind, PhaseId, Role } from './playbook.js';

/** Where a release can stand, in the order of its life; `aborted` can come at any point. */
export const RELEASE_STATUSES = [
  'planning', // first steps; Day one and versions not yet confirmed
  'scheduled', // Day one and versions set, waiting for Day one
  'running', // inside the four days
  'publishing', // publish gate open, publication under way
  'disclosing', // everything published; disclosure follow-ups under way
  'afterwards', // lessons learned
  'completed',
  'aborted',
] as const;

/** Where a release stands in its life. */
export type ReleaseStatus = (typeof RELEASE_STATUSES)[number];

/** A reference to an issue in a GitLab project. */
export interface IssueRef {
  readonly projectId: number;
  readonly iid: number;
  readonly url?: string;
}

/** State of one playbook task (or one task for one affected version). */
export interface TaskState {
  readonly status: 'open' | 'done' | 'waived';
  /** GitLab username, or `secrel` for automated work. */
  readonly by?: string;
  /** ISO time with `Z`. */
  readonly at?: string;
  readonly reason?: string;
  /** How it was done: a GitLab signal (may reopen if the signal stops holding), a command, or an action. */
  readonly via?: 'signal' | 'command' | 'automation';
  /** An automated task with nothing configured to do it: its owners do it by hand and say `/secrel done`. */
  readonly manual?: boolean;
  /** Latest pipeline secrel started for this task (automated tasks completed by a pipeline). */
  readonly lastPipeline?: TaskPipeline;
}

/** The latest pipeline secrel started for a task, as last seen. */
export interface TaskPipeline {
  readonly projectId: number;
  readonly pipelineId: number;
  /** The ref secrel started it on; absent in states stored before refs were kept. */
  readonly ref?: string;
  readonly status: string;
  readonly updatedAt: string;
}

/** A security merge request of the release. */
export interface MergeRequestState {
  readonly projectId: number;
  readonly iid: number;
  readonly targetBranch: string;
  readonly sourceBranch: string;
  /** Affected version (`17.5`) or `main` for the default branch. */
  readonly version: string;
  readonly state: 'opened' | 'closed' | 'merged' | 'locked';
  readonly url: string;
  readonly updatedAt: string;
  /**
   * Why it counts toward its version's fix: named with `/secrel mr`, or opened or merged by a member of
   * a fix role. Absent: it joined by mentioning the issue and does not count.
   */
  readonly countedVia?: 'command' | 'role';
  /** Why the MR cannot be merged yet, as its last hook said (draft, threads, approvals, conflicts). */
  readonly notReady?: readonly string[];
  /** Who to tell when it is not ready: who opened it and its assignees (GitLab usernames). */
  readonly people?: readonly string[];
}

/** Latest pipeline seen on a ref (a security branch, or a pipeline secrel started). */
export interface PipelineState {
  readonly projectId: number;
  readonly pipelineId: number;
  readonly ref: string;
  readonly status: string;
  /** The action that started it, for pipelines secrel triggered. */
  readonly action?: string;
  readonly updatedAt: string;
}

/**
 * A pipeline that claimed a task with `SECREL_*` variables but that secrel cannot prove it started
 * (another project, another ref, or an id secrel never recorded). It changes nothing; it is kept so
 * each claim is on the timeline once, and so a pipeline secrel did start, whose webhook beat the
 * record of its id, is adopted when that record lands.
 */
export interface RefusedPipelineClaim {
  readonly projectId: number;
  readonly pipelineId: number;
  readonly ref: string;
  readonly status: string;
  readonly updatedAt: string;
  /** The task it claimed, when the claim names one of this release's tasks. */
  readonly taskKey?: string;
  /** Who ran the pipeline (GitLab username), when the hook says. */
  readonly actor?: string;
}

/** Latest deployment seen per environment. */
export interface DeploymentState {
  readonly environment: string;
  readonly status: string;
  readonly deploymentId: number;
  readonly updatedAt: string;
}

/**
 * A tag or GitLab release naming the patch version of an affected version (`v17.5.3`,
 * `17.5.3-ee`), seen once publication was under way: proof that code went out.
 */
export interface TagProof {
  /** The tag as GitLab named it. */
  readonly tag: string;
  /** The patch version it names (`17.5.3`). */
  readonly patchVersion: string;
  readonly projectId: number;
  readonly projectPath: string;
  /** Which hook said so. */
  readonly source: 'tag' | 'release';
  /** The event's time (ISO with `Z`). */
  readonly seenAt: string;
}

/**
 * A gate the state machine waits on. The token is the Step Functions task token stored by the
 * gate function; ingress sends task success with it when the gate holds.
 */
export interface GateState {
  /** `failed` when the pipeline behind a `pipeline:` gate failed; a new token re-arms it. */
  readonly status: 'waiting' | 'open' | 'failed';
  readonly token?: string;
  readonly since: string;
  readonly openedAt?: string;
  readonly failedAt?: string;
}

/** One line of the audit timeline. Summaries never carry confidential text. */
export interface TimelineEntry {
  readonly at: string;
  readonly kind: string;
  readonly summary: string;
  readonly actor?: string;
}

/** The whole state of one security release, as stored. */
export interface ReleaseState {
  /** Derived from the vulnerability issue: `<projectId>-<iid>`. */
  readonly id: string;
  /** Optimistic-concurrency counter, bumped by every stored change. */
  readonly revision: number;
  readonly status: ReleaseStatus;
  readonly projectId: number;
  readonly projectPath: string;
  readonly vulnerabilityIssue: IssueRef;
  readonly releaseIssue?: IssueRef;
  readonly mitigationIssue?: IssueRef & { readonly state: 'opened' | 'closed'; readonly updatedAt?: string };
  /** Day one as `YYYY-MM-DD`, once set. */
  readonly dayOne?: string;
  /** Hours every cutoff has slipped. */
  readonly slipHours: number;
  /** Affected versions, newest first (`17.5`, `17.4`, ...). */
  readonly versions: readonly string[];
  /** Current phase of the schedule. */
  readonly phase: PhaseId;
  /** Keyed by {@link taskKey}. */
  readonly tasks: Readonly<Record<string, TaskState>>;
  /** Keyed by `<projectId>!<iid>`. */
  readonly mergeRequests: Readonly<Record<string, MergeRequestState>>;
  /** Keyed by `<projectId>:<ref>`. */
  readonly pipelines: Readonly<Record<string, PipelineState>>;
  /** Keyed by environment name. */
  readonly deployments: Readonly<Record<string, DeploymentState>>;
  /** Keyed by gate id. */
  readonly gates: Readonly<Record<string, GateState>>;
  /**
   * Versions whose counted MR was closed unmerged, with that MR: no fix until the security lead or a
   * release manager names the replacement with `/secrel mr`.
   */
  readonly replacementNeeded?: Readonly<Record<string, { readonly projectId: number; readonly iid: number }>>;
  /** MRs added with `/secrel mr`, as `<projectId>!<iid>`, before their first event arrives. */
  readonly linkedMergeRequests?: readonly string[];
  /** Pipeline claims refused for lack of provenance (most recent last, bounded). */
  readonly refusedPipelineClaims?: readonly RefusedPipelineClaim[];
  /** Ids of notes already handled as commands (most recent last, bounded), so a redelivery replies once. */
  readonly handledNotes?: readonly number[];
  readonly abortedReason?: string;
  /** Tags and GitLab releases that proved publication, per affected version (`17.5`). */
  readonly tags?: Readonly<Record<string, TagProof>>;
  /** HackerOne reports attached with `/secrel h1` (besides those in config). */
  readonly hackerOneReports?: readonly string[];
  /** The CVE id attached with `/secrel cve`. */
  readonly cveId?: string;
  /** When an issue of the release was seen public before publication (DESIGN.md §4.5). */
  readonly embargoBrokenAt?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** What the outside world must do after a state change. */
export type Effect =
  | { readonly type: 'start-workflow'; readonly releaseId: string }
  | { readonly type: 'open-gate'; readonly gate: string; readonly token: string }
  | {
      readonly type: 'fail-gate';
      readonly gate: string;
      readonly token: string;
      /** ASL error name, e.g. `Pipeline.Failed`. */
      readonly error: string;
      /** Non-confidential cause. */
      readonly cause: string;
    }
  | { readonly type: 'reply'; readonly issue: IssueRef; readonly body: string }
  | {
      readonly type: 'notify';
      readonly roles: readonly Role[];
      /** Text safe for channels outside the confidential issue. */
      readonly message: string;
    }
  | { readonly type: 'stop-workflow'; readonly releaseId: string; readonly reason: string }
  /** Rewrite secrel's section of the release issue description from the stored release. */
  | { readonly type: 'describe' }
  /**
   * Run the GitLab setup checks (`secrel connect --check`) for these projects and post what they
   * find as one comment on `issue`; nothing is posted when all is well. Asked for by `/secrel start`.
   */
  | { readonly type: 'check-setup'; readonly issue: IssueRef; readonly projectIds: readonly number[] };

/** The result of applying an event: the new state, what to record, what to do. */
export interface Applied {
  readonly state: ReleaseState;
  /** False when the event changed nothing (duplicate, stale or irrelevant). */
  readonly changed: boolean;
  readonly timeline: readonly TimelineEntry[];
  readonly effects: readonly Effect[];
}

/** Record of an automated action, written before calling out (DESIGN.md §4.3). */
export interface ActionRecord {
  readonly releaseId: string;
  readonly action: ActionKind | 'notify' | 'escalate';
  /** Affected version, phase or moment the action is for; `release` when it is once per release. */
  readonly subject: string;
  readonly status: 'started' | 'succeeded' | 'failed';
  readonly startedAt: string;
  readonly finishedAt?: string;
  /** Non-confidential outcome (an issue iid, a pipeline id). */
  readonly result?: Readonly<Record<string, string | number>>;
  readonly error?: string;
}
