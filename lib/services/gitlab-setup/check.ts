import type { SecrelConfig } from '../../core/config.js';
import {
  ACCESS,
  ACTIONS_ACCESS,
  accessName,
  findSecrelHook,
  HOOKS_ACCESS,
  hookDrift,
  hookIsRight,
  isValidPattern,
  mapBranches,
  type SetupProblem,
  setupError,
  setupWarning,
  triggerLabel,
} from '../../core/setup/index.js';
import type { GitLabSetupApi, ProjectView } from '../../ports.js';

import type { HookReport, OtherProjectReport, ProjectReport, SetupReport, UserReport } from './report.js';

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

/** One line of reason from whatever a GitLab call threw; adapters already keep the token out. */
function reason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]?.trim() || 'unknown error';
}

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

async function checkProject(
  config: SecrelConfig,
  api: GitLabSetupApi,
  key: string,
  project: SecrelConfig['projects'][number],
  user: { username: string; isAdmin: boolean },
  options: CheckOptions,
  problems: SetupProblem[],
): Promise<ProjectReport> {
  const notChecked: HookReport = { action: 'not checked', missingTriggers: [] };
  const report = { key, id: project.id, path: project.path };
  let found: ProjectView | undefined;
  try {
    found = await api.project(project.id);
  } catch (error) {
    problems.push(setupError(`${key}.id`, `cannot read project ${project.id} (${reason(error)})`));
    return { ...report, found: false, hook: notChecked };
  }
  if (!found) {
    problems.push(
      setupError(
        `${key}.id`,
        `GitLab has no project ${project.id} that ${user.username} can see; fix the id or give the token's user access`,
      ),
    );
    return { ...report, found: false, hook: notChecked };
  }
  if (found.path !== project.path) {
    problems.push(
      setupError(`${key}.path`, `GitLab's project ${project.id} is "${found.path}"; set path to it`),
    );
  }
  if (found.defaultBranch && found.defaultBranch !== project.defaultBranch) {
    problems.push(
      setupWarning(
        `${key}.defaultBranch`,
        `${found.path}'s default branch is "${found.defaultBranch}"; set defaultBranch to it`,
      ),
    );
  }
  const level = found.accessLevel ?? 0;
  const who = `the token's user ${user.username} is ${level ? accessName(level) : 'not a member'} in ${found.path}`;
  if (!user.isAdmin && level < ACTIONS_ACCESS) {
    problems.push(
      setupError(
        key,
        `${who}; secrel needs Developer to create issues, branches, merge requests, pipelines and notes`,
      ),
    );
  }
  const mayManageHooks = user.isAdmin || level >= HOOKS_ACCESS;
  if (options.webhookUrl && !mayManageHooks && level >= ACTIONS_ACCESS) {
    problems.push(setupError(key, `${who}; managing webhooks needs Maintainer (or add the hook by hand)`));
  }
  const branches = await checkBranches(config, api, key, found, problems);
  if (project.securityBranch !== undefined)
    await checkSecurityBranch(api, key, found, project.securityBranch, problems);
  const hook =
    options.webhookUrl && mayManageHooks
      ? await checkHook(api, key, found, options.webhookUrl, options.sslVerification ?? true, problems)
      : notChecked;
  return {
    ...report,
    found: true,
    ...(found.accessLevel !== undefined ? { accessLevel: found.accessLevel } : {}),
    ...(branches ? { branches } : {}),
    hook,
  };
}

async function checkBranches(
  config: SecrelConfig,
  api: GitLabSetupApi,
  key: string,
  project: ProjectView,
  problems: SetupProblem[],
): Promise<ReturnType<typeof mapBranches> | undefined> {
  const pattern = config.versionBranchPattern;
  if (!isValidPattern(pattern)) {
    problems.push(setupError('versionBranchPattern', 'is not a valid regular expression'));
    return undefined;
  }
  try {
    const [protectedBranches, matching] = await Promise.all([
      api.protectedBranches(project.id),
      api.branchesMatching(project.id, pattern),
    ]);
    const mapping = mapBranches(
      matching,
      protectedBranches,
      project.defaultBranch ?? config.projects.find((p) => p.id === project.id)?.defaultBranch ?? '',
      pattern,
    );
    if (mapping.mapped.length === 0) {
      problems.push(
        setupWarning(
          'versionBranchPattern',
          `no branch of ${project.path} maps to a version; check the pattern against its stable branches`,
        ),
      );
    }
    if (mapping.missed.length > 0) {
      problems.push(
        setupWarning(
          'versionBranchPattern',
          `protected branches of ${project.path} that map to no version: ${mapping.missed.join(', ')}`,
        ),
      );
    }
    return mapping;
  } catch (error) {
    problems.push(setupWarning(key, `cannot list the branches of ${project.path} (${reason(error)})`));
    return undefined;
  }
}

/** The branch patches start from must exist, or the first step of a release fails. */
async function checkSecurityBranch(
  api: GitLabSetupApi,
  key: string,
  project: ProjectView,
  branch: string,
  problems: SetupProblem[],
): Promise<void> {
  try {
    const escaped = branch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const found = await api.branchesMatching(project.id, `^${escaped}$`);
    if (!found.includes(branch)) {
      problems.push(
        setupError(
          `${key}.securityBranch`,
          `${project.path} has no branch "${branch}"; create it or fix the name`,
        ),
      );
    }
  } catch (error) {
    problems.push(
      setupWarning(`${key}.securityBranch`, `cannot look up branch "${branch}" (${reason(error)})`),
    );
  }
}

async function checkHook(
  api: GitLabSetupApi,
  key: string,
  project: ProjectView,
  url: string,
  sslVerification: boolean,
  problems: SetupProblem[],
): Promise<HookReport> {
  let hooks: Awaited<ReturnType<GitLabSetupApi['hooks']>>;
  try {
    hooks = await api.hooks(project.id);
  } catch (error) {
    problems.push(setupError(key, `cannot list the webhooks of ${project.path} (${reason(error)})`));
    return { action: 'not checked', missingTriggers: [] };
  }
  const hook = findSecrelHook(hooks, url);
  if (!hook) {
    const problem = setupError(key, `${project.path} has no webhook to ${url}; run secrel connect`);
    problems.push(problem);
    return { action: 'missing', missingTriggers: [], problem };
  }
  const drift = hookDrift(hook, { url, enableSslVerification: sslVerification });
  if (hookIsRight(drift)) {
    return {
      id: hook.id,
      action: 'unchanged',
      missingTriggers: [],
      sslVerification: hook.enableSslVerification,
    };
  }
  const lacks = drift.missingTriggers.map(triggerLabel);
  const what = [
    ...(lacks.length > 0 ? [`lacks ${lacks.join(', ')}`] : []),
    ...(drift.sslDiffers ? [`has SSL verification ${hook.enableSslVerification ? 'on' : 'off'}`] : []),
  ].join(' and ');
  const problem = setupError(key, `secrel's webhook in ${project.path} ${what}; run secrel connect`);
  problems.push(problem);
  return {
    id: hook.id,
    action: 'needs update',
    missingTriggers: drift.missingTriggers,
    sslVerification: hook.enableSslVerification,
    problem,
  };
}
