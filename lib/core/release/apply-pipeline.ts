import { isoOf } from '../moments.js';
import { judgePipelineClaim, refuseClaim, SECREL_VARIABLES } from '../pipeline-provenance.js';
import type { Change, ReleaseContext } from '../transitions.js';
import type { PipelineEvent } from '../types/events.js';
import type { ReleaseState, TaskState, TimelineEntry } from '../types/release.js';
import { isNewer } from './run-order.js';

/**
 * Pipeline Hooks: pipelines on the release's security branches are followed per ref, and a
 * pipeline secrel ran for a task (proven, not merely claimed by its variables) completes the
 * task when it succeeds or fails the gate waiting on it.
 */

/** Whether a pipeline runs on the source branch (or merge ref) of one of the release's MRs. */
function isSecurityBranchPipeline(state: ReleaseState, event: PipelineEvent): boolean {
  return Object.values(state.mergeRequests).some(
    (mr) =>
      mr.projectId === event.projectId &&
      (mr.sourceBranch === event.ref || event.ref.startsWith(`refs/merge-requests/${mr.iid}/`)),
  );
}

/** The change a pipeline event makes; undefined when the pipeline is not the release's. */
export function applyPipeline(
  state: ReleaseState,
  event: PipelineEvent,
  ctx: ReleaseContext,
): Change | undefined {
  const releaseId = event.variables[SECREL_VARIABLES.releaseId];
  if (releaseId !== undefined && releaseId !== state.id) return undefined;
  const at = isoOf(ctx.now);
  // SECREL_* variables are a claim anyone who can run a pipeline can make: only provenance counts.
  const claim =
    releaseId === state.id ? judgePipelineClaim(state, event, ctx.playbook, ctx.config) : undefined;
  if (claim?.kind === 'refused') {
    const refused = refuseClaim(state, event, claim, at);
    return refused && { ...refused, effects: [] };
  }
  const ours = claim?.kind === 'confirmed';
  if (!ours && !isSecurityBranchPipeline(state, event)) return undefined;
  const candidate = { id: event.pipelineId, updatedAt: event.updatedAt, status: event.status };
  let next = state;
  const timeline: TimelineEntry[] = [];
  const effects: Change['effects'][number][] = [];

  const refKey = `${event.projectId}:${event.ref}`;
  const storedRef = state.pipelines[refKey];
  if (isNewer(candidate, storedRef && { id: storedRef.pipelineId, ...storedRef })) {
    const action = ours ? event.variables[SECREL_VARIABLES.action] : undefined;
    next = {
      ...next,
      pipelines: {
        ...next.pipelines,
        [refKey]: {
          projectId: event.projectId,
          pipelineId: event.pipelineId,
          ref: event.ref,
          status: event.status,
          ...(action ? { action } : {}),
          updatedAt: event.updatedAt,
        },
      },
    };
    timeline.push({
      at,
      kind: 'pipeline',
      summary: `pipeline ${event.pipelineId} on ${event.ref} is ${event.status}`,
    });
  }

  const key = claim?.kind === 'confirmed' ? claim.key : undefined;
  const task = key === undefined ? undefined : next.tasks[key];
  if (key !== undefined && task !== undefined && task.status !== 'done') {
    const last = task.lastPipeline;
    if (isNewer(candidate, last && { id: last.pipelineId, ...last })) {
      const lastPipeline = {
        projectId: event.projectId,
        pipelineId: event.pipelineId,
        ref: event.ref,
        status: event.status,
        updatedAt: event.updatedAt,
      };
      const succeeded = event.status === 'success';
      const updated: TaskState = succeeded
        ? { ...task, status: 'done', by: 'secrel', at, via: 'automation', lastPipeline }
        : { ...task, lastPipeline };
      next = { ...next, tasks: { ...next.tasks, [key]: updated } };
      if (succeeded)
        timeline.push({
          at,
          kind: 'task-done',
          summary: `${key} done: pipeline ${event.pipelineId} succeeded`,
          actor: 'secrel',
        });
      const gateId = `pipeline:${key}`;
      const gate = next.gates[gateId];
      if (
        (event.status === 'failed' || event.status === 'canceled') &&
        gate?.status === 'waiting' &&
        gate.token
      ) {
        const cause = `pipeline for ${key} ${event.status}`;
        next = { ...next, gates: { ...next.gates, [gateId]: { ...gate, status: 'failed', failedAt: at } } };
        effects.push({ type: 'fail-gate', gate: gateId, token: gate.token, error: 'Pipeline.Failed', cause });
        timeline.push({ at, kind: 'gate-failed', summary: `gate ${gateId} failed: ${cause}` });
      }
    }
  }
  return next === state ? undefined : { state: next, timeline, effects };
}
