/**
 * Types of the playbook: the security release process as data (DESIGN.md §3).
 */

/** Owner roles, spelled as the seed process names them. Config maps each to GitLab usernames. */
export const ROLES = [
  'dev team',
  'release managers',
  'security lead',
  'customer relations',
  'marketing',
  'infrastructure',
  'packaging team',
  'githost',
] as const;
export type Role = (typeof ROLES)[number];

/** The seed's phases, in the order it lists them (a team playbook may name others). */
export const PHASE_IDS = [
  'first-steps',
  'day-one',
  'day-two',
  'day-three',
  'day-four-noon',
  'day-four-end',
  'afterwards',
] as const;
/**
 * A phase id is playbook data: lower-case kebab-case (`day-two`, or a team's `day-two-review`).
 * Code never switches on the seed's ids for the flow; the ASL builder reads them from the playbook.
 */
export type PhaseId = string;

/** Shape of a phase id: lower-case kebab-case, so gate ids and state names stay readable. */
export const PHASE_ID_PATTERN = /^[a-z][a-z0-9-]*$/;

/**
 * What an automated task waits for besides its phase start (playbook data, read by the ASL
 * builder): `fix-merged` = the security fix for the task's version is merged (per version).
 */
export const TASK_NEEDS = ['fix-merged'] as const;
export type TaskNeed = (typeof TASK_NEEDS)[number];

/**
 * GitLab facts that also prove an automated task done, besides its own action (playbook data):
 * `tag` = a tag or GitLab release of the patch version, pushed once publication is under way
 * (per version for a per-version task; every affected version for a once-per-release task).
 */
export const TASK_PROOFS = ['tag'] as const;
export type TaskProof = (typeof TASK_PROOFS)[number];

/** A UTC moment relative to Day one: `dayOffset` 0 is Day one, `time` is `HH:mm` UTC. */
export interface DayTime {
  readonly dayOffset: number;
  readonly time: string;
}

/** One heading of the seed: when it starts and the cutoff its tasks must meet. */
export interface Phase {
  readonly id: PhaseId;
  /** The seed's heading, used as the state name in the state machine. */
  readonly title: string;
  /** When the phase opens; `null` for First steps, which opens when the release starts. */
  readonly start: DayTime | null;
  /** The cutoff every task of the phase must meet. */
  readonly cutoff: DayTime;
}

/** Automated actions secrel performs itself. */
export const ACTION_KINDS = [
  'create-release-issue',
  'create-patch-branch',
  'create-draft-mr',
  'create-mitigation-issue',
  'build-test-packages',
  'build-packages',
  'publish-packages',
  'publish-docker',
  'update-githost',
  'publish-code',
  'add-version-entries',
  'update-acknowledgements',
  'lift-confidentiality',
  'thank-reporters',
  'open-lessons-learned',
] as const;
export type ActionKind = (typeof ACTION_KINDS)[number];

/** GitLab signals that prove an observed task done. */
export const SIGNALS = [
  'release-labelled',
  'security-mrs-merged',
  'security-pipelines-green',
  'backports-merged',
  'deployed-staging',
  'deployed-production',
  'mitigation-issue-closed',
] as const;
export type Signal = (typeof SIGNALS)[number];

/** How a task completes. */
export type Completion =
  | { readonly kind: 'automated'; readonly action: ActionKind }
  | { readonly kind: 'observed'; readonly signal: Signal }
  | { readonly kind: 'manual' };

/**
 * Whether a task is done once for the release, once for every affected version, or once for the
 * newest affected version only (the seed's "Validate security fixes for 8.13").
 */
export type TaskScope = 'release' | 'each-version' | 'latest-version';

/**
 * Within the last phase, publication must finish before disclosure starts (DESIGN.md §4.2).
 * Tasks of other phases have no stage.
 */
export type TaskStage = 'publish' | 'disclose';

/** One bullet of the seed. */
export interface Task {
  /** Stable id, used in `/secrel done <id>`. */
  readonly id: string;
  /** The seed's wording. */
  readonly text: string;
  readonly phase: PhaseId;
  readonly owners: readonly Role[];
  readonly completion: Completion;
  readonly scope: TaskScope;
  readonly stage?: TaskStage;
  /** Work this task waits on, beyond its phase having started. */
  readonly needs?: TaskNeed;
  /** A GitLab fact that proves this task done too, however it was started. */
  readonly provenBy?: TaskProof;
}

/** The whole process: phases in order and their tasks. */
export interface Playbook {
  readonly phases: readonly Phase[];
  readonly tasks: readonly Task[];
}
