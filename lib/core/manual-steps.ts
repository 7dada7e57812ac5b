import { configuredProject, type SecrelConfig } from './config.js';
import { ReleaseRuleError } from './errors.js';
import { isoOf } from './moments.js';
import { findTask } from './playbook-lookup.js';
import { parseTaskKey } from './tasks.js';
import { settle, type TransitionContext, unchanged } from './transitions.js';
import { type ActionKind, type Playbook, ROLES, type Role } from './types/playbook.js';
import type { Applied, IssueRef, ReleaseState } from './types/release.js';

/**
 * Fail closed on configuration (DESIGN.md §4.1, §4.2): an automated step with nothing configured to do
 * it is never counted done. It becomes a manual task for its owners, who are told what to do by hand
 * and finish it with `/secrel done`; until then it is open, so the gates that need it hold.
 */

/** The prefix of secrel's replies (as in `release/command-reply.ts`), so they are never read back as commands. */
const REPLY_PREFIX = 'secrel:';

/** What an owner reads: "publish security packages to public for 17.4 by hand, then `/secrel done …`". */
export function manualInstruction(key: string, playbook: Playbook): string {
  const { taskId, version } = parseTaskKey(key);
  const task = findTask(playbook, taskId);
  const text = task ? task.text.charAt(0).toLowerCase() + task.text.slice(1) : taskId;
  return `${text}${version === undefined ? '' : ` for ${version}`} by hand, then \`/secrel done ${key}\``;
}

/**
 * Hands an automated task whose action has no configured target to its owners: it stays open and is
 * marked manual (so `/secrel done` is accepted for it), the release issue says what to do by hand, and
 * the owners are notified. Idempotent.
 */
export function handToOwners(
  state: ReleaseState,
  key: string,
  replyTo: IssueRef,
  ctx: TransitionContext,
): Applied {
  const task = state.tasks[key];
  if (task === undefined) throw new ReleaseRuleError(`no task ${key} in release ${state.id}`);
  if (task.manual || task.status !== 'open') return unchanged(state);
  const owners = findTask(ctx.playbook, parseTaskKey(key).taskId)?.owners ?? [];
  const at = isoOf(ctx.now);
  const instruction = manualInstruction(key, ctx.playbook);
  const who = owners.length > 0 ? owners.join(', ') : 'the security lead';
  return settle(
    state,
    {
      state: {
        ...state,
        tasks: { ...state.tasks, [key]: { ...task, manual: true, reason: 'no target configured' } },
      },
      timeline: [
        {
          at,
          kind: 'task-manual',
          summary: `${key} has no configured target: handed to ${who} to do by hand`,
          actor: 'secrel',
        },
      ],
      effects: [
        {
          type: 'reply',
          issue: replyTo,
          body: `${REPLY_PREFIX} nothing is configured to do \`${key}\`, so secrel will not count it done. ${who}: ${instruction}.`,
        },
        {
          type: 'notify',
          roles: owners.length > 0 ? owners : ['security lead'],
          message: `Security release ${state.id}: ${key} must be done by hand (nothing is configured for it); see the release issue.`,
        },
      ],
    },
    ctx,
    'secrel',
  );
}

/** Whether an automated action has something configured to do it, for this release and version. */
export function actionConfigured(
  action: ActionKind,
  config: SecrelConfig,
  // Kept for callers: no action depends on the release since disclosure approval became manual.
  _releaseId: string,
  projectId: number,
): boolean {
  switch (action) {
    case 'build-test-packages':
    case 'build-packages':
    case 'publish-packages':
    case 'publish-docker':
    case 'publish-code':
    case 'update-githost':
      return config.pipelines[action] !== undefined;
    case 'add-version-entries':
      return config.versionServer !== undefined;
    case 'update-acknowledgements':
      return config.acknowledgements !== undefined;
    case 'create-patch-branch':
    case 'create-draft-mr':
      return configuredProject(config, projectId)?.securityBranch !== undefined;
    case 'create-release-issue':
    case 'create-mitigation-issue':
    case 'lift-confidentiality':
    case 'thank-reporters':
    case 'open-lessons-learned':
      return true;
  }
}

/** What `/secrel start` can say before the release runs: what is automated, what is manual, who is missing. */
export interface Preflight {
  /** Task ids secrel will do itself. */
  readonly automated: readonly string[];
  /** Task ids that are automated in the playbook but have no configured target: their owners do them by hand. */
  readonly manual: readonly string[];
  /** Roles with no GitLab user in config. */
  readonly rolesWithNobody: readonly Role[];
}

/** The preflight of a release: a pure reading of config and playbook. */
export function preflight(
  config: SecrelConfig,
  playbook: Playbook,
  releaseId: string,
  projectId: number,
): Preflight {
  const automated: string[] = [];
  const manual: string[] = [];
  for (const task of playbook.tasks) {
    if (task.completion.kind !== 'automated') continue;
    (actionConfigured(task.completion.action, config, releaseId, projectId) ? automated : manual).push(
      task.id,
    );
  }
  const rolesWithNobody = ROLES.filter((role) => (config.roles[role] ?? []).length === 0);
  return { automated, manual, rolesWithNobody };
}

/** The preflight as a few Markdown lines for the `/secrel start` reply. */
export function preflightText(result: Preflight): string {
  const list = (ids: readonly string[]) =>
    ids.length === 0 ? 'none' : ids.map((id) => `\`${id}\``).join(', ');
  return [
    '',
    '',
    '#### Preflight',
    '',
    `- automated by secrel: ${list(result.automated)}`,
    `- manual, because nothing is configured for them (their owners do them by hand, then \`/secrel done <task>@<version>\`): ${list(result.manual)}`,
    `- roles with nobody in config: ${result.rolesWithNobody.length === 0 ? 'none' : result.rolesWithNobody.join(', ')}`,
  ].join('\n');
}
