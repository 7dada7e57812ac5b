import type { SecrelConfig } from '../../core/config.js';
import {
  ACCESS,
  ACTIONS_ACCESS,
  accessName,
  type SetupProblem,
  setupError,
  setupWarning,
} from '../../core/setup/index.js';
import type { GitLabSetupApi, ProjectView } from '../../ports.js';
import { checkProject, reason } from './project-check.js';
import type { OtherProjectReport, ProjectReport, SetupReport, UserReport } from './report.js';

/** Options of {@link checkGitLabSetup}. */
export interface CheckOptions {
  /** secrel's webhook URL: when given, each project's hook is checked and Maintainer access required. */
  readonly webhookUrl?: string;
  /** Whether the hook should verify SSL (default true). */
  readonly sslVerification?: boolean;
  /** Only these projects (ids); all configured ones when absent. `/secrel start` passes the release's. */
  readonly projectIds?: readonly number[];
  /**
   * With `projectIds`, still check the projects secrel calls besides `projects` (pipeline targets,
   * infrastructure, acknowledgements); they are always checked without `projectIds`.
   */
  readonly otherProjects?: boolean;
  /** Now, in ms since the epoch (tests pass their own). */
  readonly now?: () => number;
}

/** A token that expires within this many days is reported: a release lasts four days and more. */
const EXPIRY_WARNING_DAYS = 14;

/**
 * Checks the GitLab side of a secrel config and changes nothing: the token (its user, `api`
 * scope, expiry), each project (exists, path, the token user's access), every username in
 * `roles`, the branches the version pattern maps, and (with a webhook URL) secrel's hook.
 * Every problem names the config key or variable to fix. Shared by `secrel connect` and
 * `/secrel start`.
 */
export async function checkGitLabSetup(
  config: SecrelConfig,
  api: GitLabSetupApi,
  options: CheckOptions = {},
): Promise<SetupReport> {
  const problems: SetupProblem[] = [];
  const base = { gitlabUrl: config.gitlab.url };
  let user: { username: string; isAdmin: boolean };
  try {
    user = await api.currentUser();
  } catch (error) {
    problems.push(
      setupError(
        'GITLAB_TOKEN',
        `GitLab at ${config.gitlab.url} refused the token or could not be reached (${reason(error)}); set a valid token with api scope`,
      ),
    );
    return { ...base, users: [], projects: [], problems };
  }
  const scopes = await checkToken(api, problems, options.now ?? Date.now);
  const users = await checkUsers(config, api, problems);
  const projects: ProjectReport[] = [];
  for (const [index, project] of config.projects.entries()) {
    if (options.projectIds && !options.projectIds.includes(project.id)) continue;
    projects.push(await checkProject(config, api, `projects[${index}]`, project, user, options, problems));
  }
  const otherProjects =
    options.projectIds && !options.otherProjects ? [] : await checkOtherProjects(config, api, user, problems);
  return {
    ...base,
    tokenUser: user.username,
    ...(scopes ? { tokenScopes: scopes } : {}),
    users,
    projects,
    otherProjects,
    problems,
  };
}

/**
 * Projects secrel calls besides `projects`: where it opens the infrastructure issue and the
 * acknowledgements comment (Reporter is enough) and where it runs pipelines (Developer).
 */
function otherProjectRefs(config: SecrelConfig): { key: string; ref: number | string; needs: number }[] {
  const refs: { key: string; ref: number | string; needs: number }[] = [];
  if (config.infrastructureProject !== undefined)
    refs.push({ key: 'infrastructureProject', ref: config.infrastructureProject, needs: ACCESS.reporter });
  for (const [action, target] of Object.entries(config.pipelines)) {
    if (target) refs.push({ key: `pipelines.${action}.project`, ref: target.project, needs: ACTIONS_ACCESS });
  }
  if (config.acknowledgements)
    refs.push({
      key: 'acknowledgements.project',
      ref: config.acknowledgements.project,
      needs: ACCESS.reporter,
    });
  const configured = (ref: number | string): boolean =>
    config.projects.some((p) => p.id === ref || p.path.toLowerCase() === String(ref).toLowerCase());
  return refs.filter((r) => !configured(r.ref));
}

async function checkOtherProjects(
  config: SecrelConfig,
  api: GitLabSetupApi,
  user: { username: string; isAdmin: boolean },
  problems: SetupProblem[],
): Promise<OtherProjectReport[]> {
  const reports: OtherProjectReport[] = [];
  const seen = new Map<string, ProjectView | undefined | Error>();
  for (const { key, ref, needs } of otherProjectRefs(config)) {
    const id = String(ref).toLowerCase();
    if (!seen.has(id)) {
      seen.set(id, await api.project(ref).catch((error: unknown) => new Error(reason(error))));
    }
    const found = seen.get(id);
    if (found instanceof Error) {
      problems.push(setupError(key, `cannot read project ${String(ref)} (${found.message})`));
      reports.push({ key, ref, found: false });
      continue;
    }
    if (!found) {
      problems.push(
        setupError(
          key,
          `GitLab has no project ${String(ref)} that ${user.username} can see; fix it or give the token's user access`,
        ),
      );
      reports.push({ key, ref, found: false });
      continue;
    }
    const level = found.accessLevel ?? 0;
    if (!user.isAdmin && level < needs) {
      problems.push(
        setupError(
          key,
          `the token's user ${user.username} is ${level ? accessName(level) : 'not a member'} in ${found.path}; secrel needs ${accessName(needs)} there`,
        ),
      );
    }
    reports.push({
      key,
      ref,
      found: true,
      ...(found.accessLevel !== undefined ? { accessLevel: found.accessLevel } : {}),
    });
  }
  return reports;
}

async function checkToken(
  api: GitLabSetupApi,
  problems: SetupProblem[],
  now: () => number,
): Promise<readonly string[] | undefined> {
  let token: Awaited<ReturnType<GitLabSetupApi['token']>>;
  try {
    token = await api.token();
  } catch (error) {
    problems.push(setupWarning('GITLAB_TOKEN', `cannot read the token's scopes (${reason(error)})`));
    return undefined;
  }
  if (!token) return undefined;
  if (!token.scopes.includes('api')) {
    problems.push(
      setupError(
        'GITLAB_TOKEN',
        `the token has scopes ${token.scopes.join(', ') || '(none)'} but secrel needs api; create a token with api scope`,
      ),
    );
  }
  if (!token.active) {
    problems.push(setupError('GITLAB_TOKEN', 'the token is revoked or expired; create a new one'));
  } else if (token.expiresAt) {
    const days = (Date.parse(`${token.expiresAt}T00:00:00Z`) - now()) / 86_400_000;
    if (days < EXPIRY_WARNING_DAYS) {
      problems.push(
        setupWarning(
          'GITLAB_TOKEN',
          `the token expires on ${token.expiresAt}; renew it before a release needs it`,
        ),
      );
    }
  }
  return token.scopes;
}

async function checkUsers(
  config: SecrelConfig,
  api: GitLabSetupApi,
  problems: SetupProblem[],
): Promise<UserReport[]> {
  // GitLab usernames are case-insensitive: one lookup per person, whatever the roles' spelling.
  const people = new Map<string, { username: string; roles: string[] }>();
  for (const [role, usernames] of Object.entries(config.roles)) {
    for (const username of usernames ?? []) {
      const key = username.toLowerCase();
      const entry = people.get(key) ?? { username, roles: [] };
      if (!entry.roles.includes(role)) entry.roles.push(role);
      people.set(key, entry);
    }
  }
  const reports: UserReport[] = [];
  for (const { username, roles } of people.values()) {
    const key = `roles.${roles[0] ?? ''}`;
    let state: UserReport['state'];
    try {
      const found = await api.user(username);
      state = !found ? 'missing' : found.state === 'active' ? 'found' : 'blocked';
      if (!found) {
        problems.push(
          setupError(key, `GitLab has no user "${username}"; fix the username or remove it from the role`),
        );
      } else if (state === 'blocked') {
        problems.push(
          setupError(
            key,
            `GitLab user "${username}" is ${found.state}; unblock the account or name someone else`,
          ),
        );
      }
    } catch (error) {
      state = 'missing';
      problems.push(setupError(key, `cannot look up user "${username}" (${reason(error)})`));
    }
    reports.push({ username, roles, state });
  }
  return reports;
}
