import type { SecrelConfig } from '../../core/config.js';
import {
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
import type { HookReport, ProjectReport } from './report.js';

/**
 * The part of the GitLab setup check (`check.ts`) that looks at one configured project: access,
 * protected and release branches, the security branch, secrel's hook.
 */

/** One line of reason from whatever a GitLab call threw; adapters already keep the token out. */
export function reason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]?.trim() || 'unknown error';
}

/** Checks one configured project: access, branches, the security branch and, with a URL, its hook. */
export async function checkProject(
  config: SecrelConfig,
  api: GitLabSetupApi,
  key: string,
  project: SecrelConfig['projects'][number],
  user: { username: string; isAdmin: boolean },
  options: { readonly webhookUrl?: string; readonly sslVerification?: boolean },
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
