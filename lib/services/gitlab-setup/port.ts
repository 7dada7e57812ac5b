import type { DesiredHook, HookTrigger, ProjectHookView } from '../../core/setup/index.js';

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
