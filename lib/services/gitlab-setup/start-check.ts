import type { SecrelConfig } from '../../core/config.js';
import { REPLY_PREFIX } from '../../core/release/command-reply.js';
import type { GitLabSetupApi } from '../../ports.js';
import { checkGitLabSetup } from './check.js';

/**
 * The comment `/secrel start` posts after its reply when the GitLab setup checks find a problem:
 * one line per problem naming the config key and what to do, errors first. Undefined when all is
 * well (the start reply already said a comment follows only then). The lines name usernames and
 * project paths, no token or secret; they go to the confidential release issue only.
 */
export async function startSetupComment(
  config: SecrelConfig,
  api: GitLabSetupApi,
  projectIds: readonly number[],
  now?: () => number,
): Promise<string | undefined> {
  // The release's pipeline targets and other projects matter to it as much as its own project.
  const report = await checkGitLabSetup(config, api, {
    projectIds,
    otherProjects: true,
    ...(now ? { now } : {}),
  });
  if (report.problems.length === 0) return undefined;
  const ordered = [
    ...report.problems.filter((p) => p.severity === 'error'),
    ...report.problems.filter((p) => p.severity === 'warning'),
  ];
  const count = ordered.length === 1 ? 'a problem' : `${ordered.length} problems`;
  return [
    `${REPLY_PREFIX} the GitLab setup check found ${count}. The schedule runs anyway; fix each before the step that needs it (\`secrel connect --check\` shows them again):`,
    '',
    ...ordered.map((p) => `- ${p.severity} \`${p.key}\`: ${p.message}`),
  ].join('\n');
}
