import {
  draftMergeRequestDescription,
  draftMergeRequestTitle,
  mitigationIssueBody,
  mitigationIssueTitle,
  patchBranchName,
} from '../../core/documents/follow-ups.js';
import { lessonsLearnedBody, lessonsLearnedTitle } from '../../core/documents/lessons-learned.js';
import { releaseIssueDescription } from '../../core/documents/living-section.js';
import { releaseIssueTitle } from '../../core/documents/release-issue.js';
import { ActionFailedError } from '../../core/workflow-steps.js';
import { type ActionPerformer, issueValue, parseIssueValue, projectIdOf, SKIPPED } from './context.js';
import { requireSchedule } from './release-state.js';

/**
 * First steps and Afterwards: the confidential issues, the patch branch and the draft MR.
 * Creating an issue is never repeated blindly; linking, branching and opening the same MR are
 * safe to repeat (the GitLab client counts an existing one as done).
 */

/** The release's project as configured; an unknown project is a configuration error. */
function projectOf(ctx: Parameters<ActionPerformer>[0]) {
  const project = ctx.deps.config.projects.find((p) => p.id === ctx.state.projectId);
  if (!project) throw new ActionFailedError(`project ${ctx.state.projectId} is not configured`);
  return project;
}

/** "Create a confidential issue for the release", linked to the vulnerability issue. */
export const createReleaseIssue: ActionPerformer = async (ctx, parts) => {
  const { deps, state } = ctx;
  // The living section is rewritten on every change from here on (lib/services/living-description.ts).
  const body = releaseIssueDescription({ state, playbook: deps.playbook, roles: deps.config.roles });
  const created = parseIssueValue(
    await parts.part('create', async () =>
      issueValue(
        await deps.gitlab.createIssue(state.projectId, {
          title: releaseIssueTitle(state.id),
          description: body,
          confidential: true,
        }),
      ),
    ),
  );
  if (!created) return SKIPPED;
  const vulnerability = state.vulnerabilityIssue;
  await parts.part(
    'link',
    async () => {
      await deps.gitlab.linkIssues(state.projectId, created.iid, vulnerability.projectId, vulnerability.iid);
      return undefined;
    },
    { repeatable: true },
  );
  return {
    outcome: 'done',
    created: { releaseIssue: { projectId: state.projectId, iid: created.iid, url: created.url } },
  };
};

/** "Branch off of the dev CE security branch", when the project has one. */
export const createPatchBranch: ActionPerformer = async (ctx, parts) => {
  const project = projectOf(ctx);
  if (!project.securityBranch) return SKIPPED;
  const branch = patchBranchName(ctx.state.vulnerabilityIssue.iid);
  const from = project.securityBranch;
  await parts.part(
    'branch',
    async () => {
      await ctx.deps.gitlab.createBranch(project.id, branch, from);
      return undefined;
    },
    { repeatable: true },
  );
  return { outcome: 'done' };
};

/** "Create a Work-In-Progress merge request assigned to the release manager". */
export const createDraftMergeRequest: ActionPerformer = async (ctx, parts) => {
  const project = projectOf(ctx);
  if (!project.securityBranch) return SKIPPED;
  const iid = ctx.state.vulnerabilityIssue.iid;
  const targetBranch = project.securityBranch;
  await parts.part(
    'merge-request',
    async () =>
      (
        await ctx.deps.gitlab.createMergeRequest(project.id, {
          sourceBranch: patchBranchName(iid),
          targetBranch,
          title: draftMergeRequestTitle(iid),
          description: draftMergeRequestDescription(iid, ctx.state.releaseIssue),
          assignees: ctx.deps.config.roles['release managers'] ?? [],
        })
      ).iid,
    { repeatable: true },
  );
  return { outcome: 'done' };
};

/** "Create an issue in infrastructure describing the mitigation and impact" (confidential). */
export const createMitigationIssue: ActionPerformer = async (ctx, parts) => {
  const { deps, state } = ctx;
  const target = deps.config.infrastructureProject ?? state.projectId;
  const vulnerability = `${state.projectPath}#${state.vulnerabilityIssue.iid}`;
  const releaseIssue = state.releaseIssue ? `${state.projectPath}#${state.releaseIssue.iid}` : undefined;
  const created = parseIssueValue(
    await parts.part('create', async () =>
      issueValue(
        await deps.gitlab.createIssue(target, {
          title: mitigationIssueTitle(state.id),
          description: mitigationIssueBody(vulnerability, releaseIssue),
          confidential: true,
        }),
      ),
    ),
  );
  if (!created) return SKIPPED;
  const projectId = projectIdOf(deps, target);
  // Without a numeric project id ingress could not match the issue's close event; the task then waits for a person.
  if (projectId === undefined) return { outcome: 'done' };
  return { outcome: 'done', created: { mitigationIssue: { projectId, iid: created.iid, url: created.url } } };
};

/** "Lessons learned" writeup: an issue with the generated timeline. */
export const openLessonsLearned: ActionPerformer = async (ctx, parts) => {
  const { deps, state } = ctx;
  const body = lessonsLearnedBody({
    releaseId: state.id,
    vulnerabilityIssue: state.vulnerabilityIssue,
    ...(state.releaseIssue ? { releaseIssue: state.releaseIssue } : {}),
    versions: state.versions,
    playbook: deps.playbook,
    schedule: requireSchedule(state, deps),
    tasks: state.tasks,
    now: deps.clock.now(),
  });
  await parts.part('create', async () =>
    issueValue(
      await deps.gitlab.createIssue(state.projectId, {
        title: lessonsLearnedTitle(state.id),
        description: body,
        confidential: true,
      }),
    ),
  );
  return { outcome: 'done' };
};
