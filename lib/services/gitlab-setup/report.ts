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

/** A project secrel calls that is not in `projects` (pipelines, infrastructure issue, acknowledgements). */
export interface OtherProjectReport {
  /** The config key that names it, e.g. `pipelines.build-packages.project`. */
  readonly key: string;
  readonly ref: number | string;
  readonly found: boolean;
  readonly accessLevel?: number;
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
  /** Other projects secrel calls; empty when the check was limited to some projects. */
  readonly otherProjects?: readonly OtherProjectReport[];
  readonly problems: readonly SetupProblem[];
}
