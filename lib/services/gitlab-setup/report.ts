import type { BranchMapping, HookTrigger, SetupProblem } from '../../core/setup/index.js';

/**
 * What a check of the GitLab side found, per project and per user, with the problems to fix.
 * `secrel connect` prints it as tables or JSON; `/secrel start` replies with its problems.
 */

/** What happened to a project's secrel hook. */
export type HookAction = 'created' | 'updated' | 'unchanged' | 'missing' | 'needs update' | 'not checked';

/** secrel's hook in one project. */
export interface HookReport {
  /** GitLab's id of the hook, once one exists. */
  readonly id?: number;
  readonly action: HookAction;
  /** Triggers the hook lacked when found (repaired when `action` is `updated`). */
  readonly missingTriggers: readonly HookTrigger[];
  readonly sslVerification?: boolean;
  /** The problem reported about the hook, which `secrel connect` fixes. */
  readonly problem?: SetupProblem;
}

/** The test delivery GitLab was asked to send. */
export interface TestReport {
  readonly received: boolean;
  readonly detail: string;
}

/** One configured project. */
export interface ProjectReport {
  /** `projects[0]`: where it is in the config. */
  readonly key: string;
  readonly id: number;
  readonly path: string;
  readonly found: boolean;
  /** The token user's access level there; undefined when not a member or not found. */
  readonly accessLevel?: number;
  readonly branches?: BranchMapping;
  readonly hook: HookReport;
  readonly test?: TestReport;
}

/** One username from `roles`. */
export interface UserReport {
  readonly username: string;
  /** The roles that list it. */
  readonly roles: readonly string[];
  readonly state: 'found' | 'missing' | 'blocked';
}

/** Everything one check (or connect) found. */
export interface SetupReport {
  readonly gitlabUrl: string;
  /** The token's user, when GitLab accepted the token. */
  readonly tokenUser?: string;
  readonly tokenScopes?: readonly string[];
  readonly users: readonly UserReport[];
  readonly projects: readonly ProjectReport[];
  readonly problems: readonly SetupProblem[];
}
