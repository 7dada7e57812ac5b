import type { SecrelConfig } from '../../core/config.js';
import { type SetupProblem, setupError } from '../../core/setup/index.js';
import type { GitLabSetupApi, HookWithSecret, TestTrigger } from '../../ports.js';
import { checkGitLabSetup } from './check.js';

import type { HookReport, ProjectReport, SetupReport, TestReport } from './report.js';

/** Options of {@link connectGitLab}. */
export interface ConnectOptions {
  /** Where GitLab must send webhooks: the running secrel's `/webhooks/gitlab`. */
  readonly webhookUrl: string;
  /** The webhook secret GitLab sends as `X-Gitlab-Token`; needed only when `apply` is true. */
  readonly secret?: string;
  /** SSL verification on the hook (default true; off only for a local tunnel). */
  readonly sslVerification?: boolean;
  /** Create and repair hooks; false checks only (`--check`). */
  readonly apply: boolean;
  /** Ask GitLab for a test delivery to each hook (default true). */
  readonly test?: boolean;
  /** The event the test delivery carries (default `push_events`: any project with a commit has one). */
  readonly testTrigger?: TestTrigger;
  readonly now?: () => number;
}

/**
 * `secrel connect`: checks the GitLab side, then (when `apply`) creates or repairs exactly one
 * secrel hook per project (matched by URL, so a rerun never duplicates it), and asks GitLab for
 * a test delivery to each, reporting whether secrel received and authenticated it. A hook whose
 * triggers are right but whose test delivery is refused gets the secret set again (GitLab never
 * shows a hook's secret, so a stale one shows only this way) and is tested once more.
 */
export async function connectGitLab(
  config: SecrelConfig,
  api: GitLabSetupApi,
  options: ConnectOptions,
): Promise<SetupReport> {
  if (options.apply && options.secret === undefined) throw new Error('connectGitLab: apply needs the secret');
  const sslVerification = options.sslVerification ?? true;
  const checked = await checkGitLabSetup(config, api, {
    webhookUrl: options.webhookUrl,
    sslVerification,
    ...(options.now ? { now: options.now } : {}),
  });
  const desired: HookWithSecret = {
    url: options.webhookUrl,
    enableSslVerification: sslVerification,
    secret: options.secret ?? '',
  };
  // Without `api` scope GitLab refuses every hook change and test delivery; the token's own
  // problem says so once, instead of one refusal per project.
  const mayWrite = checked.tokenScopes === undefined || checked.tokenScopes.includes('api');
  const fixed = new Set<SetupProblem>();
  const added: SetupProblem[] = [];
  const projects: ProjectReport[] = [];
  for (const project of checked.projects) {
    let hook = project.hook;
    if (options.apply && mayWrite) {
      const applied = await applyHook(api, project, desired, added);
      if (applied.action !== hook.action && hook.problem) fixed.add(hook.problem);
      hook = applied;
    }
    let test: TestReport | undefined;
    const hookId = hook.id;
    if (mayWrite && (options.test ?? true) && hookId !== undefined && hook.action !== 'not checked') {
      const trigger = options.testTrigger ?? 'push_events';
      test = await testHook(api, project, hookId, trigger);
      if (!test.received && options.apply && hook.action === 'unchanged' && !unreachable(test.detail)) {
        // secrel answered but refused: the triggers were right, so GitLab holds a stale secret.
        const edited = await editHook(api, project, hookId, desired, added);
        if (edited) {
          hook = { ...hook, action: 'updated' };
          test = await testHook(api, project, hookId, trigger);
        }
      }
      if (!test.received) {
        added.push(
          setupError(
            project.key,
            `the test delivery to ${options.webhookUrl} was not received (${test.detail}); make the URL reachable from GitLab and ${options.apply ? 'check the secret' : 'run secrel connect to set the secret'}`,
          ),
        );
      }
    }
    projects.push({ ...project, hook, ...(test ? { test } : {}) });
  }
  return {
    ...checked,
    projects,
    problems: [...checked.problems.filter((p) => !fixed.has(p)), ...added],
  };
}

async function applyHook(
  api: GitLabSetupApi,
  project: ProjectReport,
  desired: HookWithSecret,
  problems: SetupProblem[],
): Promise<HookReport> {
  const hook = project.hook;
  if (hook.action === 'missing') {
    try {
      const created = await api.addHook(project.id, desired);
      return {
        id: created.id,
        action: 'created',
        missingTriggers: [],
        sslVerification: created.enableSslVerification,
      };
    } catch (error) {
      problems.push(setupError(project.key, `cannot add the webhook to ${project.path} (${reason(error)})`));
      return hook;
    }
  }
  if (hook.action === 'needs update' && hook.id !== undefined) {
    const edited = await editHook(api, project, hook.id, desired, problems);
    return edited ? { ...hook, action: 'updated', sslVerification: desired.enableSslVerification } : hook;
  }
  return hook;
}

async function editHook(
  api: GitLabSetupApi,
  project: ProjectReport,
  hookId: number,
  desired: HookWithSecret,
  problems: SetupProblem[],
): Promise<boolean> {
  try {
    await api.editHook(project.id, hookId, desired);
    return true;
  } catch (error) {
    problems.push(setupError(project.key, `cannot update the webhook of ${project.path} (${reason(error)})`));
    return false;
  }
}

async function testHook(
  api: GitLabSetupApi,
  project: ProjectReport,
  hookId: number,
  trigger: TestTrigger,
): Promise<TestReport> {
  try {
    return await api.testHook(project.id, hookId, trigger);
  } catch (error) {
    return { received: false, detail: reason(error) };
  }
}

/** GitLab's account of a delivery that reached nothing: setting the secret again would not help. */
function unreachable(detail: string): boolean {
  return /execution failed|timed? ?out|connection|ECONN|SSL|certificate|could not be reached/i.test(detail);
}

function reason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]?.trim() || 'unknown error';
}
