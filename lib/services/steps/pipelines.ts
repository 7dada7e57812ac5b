import type { SecrelConfig } from '../../core/config.js';
import { PIPELINE_ACTIONS } from '../../core/pipeline-actions.js';
import { pipelineRef } from '../../core/pipeline-provenance.js';
import type { ActionKind } from '../../core/types/playbook.js';
import { type ActionPerformer, SKIPPED } from './context.js';

/**
 * Actions done by a GitLab pipeline (packages, Docker images, code, GitHost). secrel starts the
 * pipeline once; the pipeline's own webhook completes the task and opens its `pipeline:` gate.
 */

/** The actions config may point at a pipeline. */
export type PipelineAction = keyof SecrelConfig['pipelines'];

/** True for actions performed by a pipeline. */
export function isPipelineAction(action: ActionKind): action is PipelineAction {
  return PIPELINE_ACTIONS.includes(action);
}

/** The CI variables of a pipeline secrel starts: the target's own, then secrel's (which win). */
export function pipelineVariables(
  own: Readonly<Record<string, string>>,
  releaseId: string,
  action: string,
  version: string | undefined,
): Record<string, string> {
  return {
    ...own,
    SECREL_RELEASE_ID: releaseId,
    SECREL_ACTION: action,
    ...(version === undefined ? {} : { SECREL_VERSION: version }),
  };
}

/** Starts the configured pipeline for the action (and version); skipped without a target. */
export const startPipeline: ActionPerformer = async (ctx, parts) => {
  if (!isPipelineAction(ctx.action)) return SKIPPED;
  const target = ctx.deps.config.pipelines[ctx.action];
  if (!target) return SKIPPED;
  let answeredProject: number | undefined;
  const ref = pipelineRef(target.ref, ctx.version);
  const variables = pipelineVariables(target.variables, ctx.state.id, ctx.action, ctx.version);
  const id = await parts.part(
    'pipeline',
    async () => {
      const started = await ctx.deps.gitlab.createPipeline(target.project, ref, variables);
      answeredProject = started.projectId;
      return started.id;
    },
    {
      // Cut off after GitLab started it (storage down before its id was written): the pipeline
      // carries secrel's variables, so it is found instead of started twice.
      recover: async () => {
        const found = await ctx.deps.gitlab.findPipeline(target.project, ref, variables);
        answeredProject = found?.projectId;
        return found?.id;
      },
    },
  );
  // Kept on the action record beside the pipeline id: provenance needs the project's numeric id.
  const projectId = await parts.part('pipeline-project', async () => answeredProject, { repeatable: true });
  return {
    outcome: 'pipeline-started',
    ...(typeof id === 'number' ? { pipelineId: id } : {}),
    ...(typeof projectId === 'number' ? { pipelineProjectId: projectId } : {}),
  };
};
