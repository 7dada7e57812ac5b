import { apply } from '../core/release/apply.js';
import type { ReleaseContext } from '../core/transitions.js';
import type { PipelineEvent } from '../core/types/events.js';
import type { ReleaseState, TaskPipeline } from '../core/types/release.js';
import type { GitLabPipeline } from '../ports.js';
import { transition } from './steps/release-state.js';
import type { RuntimeDeps } from './types.js';

/**
 * Reconciliation (issue #10, DESIGN.md §6): when the machine wakes anyway (a reminder, an
 * escalation, a phase start) and when local mode resumes a release, secrel reads back from GitLab
 * the pipelines it started and still waits on, and applies what a lost webhook would have said
 * through the very rule a webhook goes through (`apply` with a pipeline event), so provenance
 * holds: only the pipeline recorded on the task, in its configured project and ref, completes it.
 * No polling loop: nothing here runs except at those moments.
 */

/** Pipeline statuses a webhook already reported for good: nothing left to read back. */
const SETTLED = new Set(['success', 'failed', 'canceled', 'skipped']);

/** Pipelines of open tasks whose outcome secrel has not heard yet. */
export function pipelinesToReadBack(state: ReleaseState): TaskPipeline[] {
  if (state.status === 'completed' || state.status === 'aborted') return [];
  return Object.values(state.tasks).flatMap((task) =>
    task.status !== 'done' && task.lastPipeline && !SETTLED.has(task.lastPipeline.status)
      ? [task.lastPipeline]
      : [],
  );
}

/** The Pipeline Hook GitLab would have sent for what it answers now. */
export function pipelineEventOf(pipeline: GitLabPipeline): PipelineEvent {
  return {
    kind: 'pipeline',
    projectId: pipeline.projectId,
    projectPath: pipeline.projectPath,
    pipelineId: pipeline.id,
    ref: pipeline.ref,
    status: pipeline.status,
    source: pipeline.source,
    variables: pipeline.variables,
    updatedAt: pipeline.updatedAt,
  };
}

/** What one reconciliation did: pipelines read back and how many changed the release. */
export interface Reconciled {
  readonly read: number;
  readonly applied: number;
}

/**
 * Reads back the pipelines the release waits on and applies their answers. Best effort: a read
 * that fails is logged (by name only) and left to the next wake-up, so the step that woke the
 * machine still does its own work.
 */
export async function reconcileRelease(deps: RuntimeDeps, releaseId: string): Promise<Reconciled> {
  let read = 0;
  let applied = 0;
  try {
    const state = await deps.store.get(releaseId);
    if (!state) return { read, applied };
    for (const started of pipelinesToReadBack(state)) {
      let pipeline: GitLabPipeline;
      try {
        pipeline = await deps.gitlab.getPipeline(started.projectId, started.pipelineId);
      } catch (err) {
        deps.logger.warn('reconciliation read failed', {
          releaseId,
          pipelineId: started.pipelineId,
          error: err instanceof Error ? err.name : 'unknown',
        });
        continue;
      }
      read += 1;
      const event = pipelineEventOf(pipeline);
      let changed = false;
      await transition(deps, releaseId, (current) => {
        const ctx: ReleaseContext = { config: deps.config, playbook: deps.playbook, now: deps.clock.now() };
        const result = apply(current, event, ctx);
        changed = result.changed;
        return result;
      });
      if (changed) {
        applied += 1;
        deps.logger.info('reconciled from GitLab', {
          releaseId,
          pipelineId: pipeline.id,
          status: pipeline.status,
        });
      }
    }
  } catch (err) {
    deps.logger.warn('reconciliation failed', {
      releaseId,
      error: err instanceof Error ? err.name : 'unknown',
    });
  }
  return { read, applied };
}
