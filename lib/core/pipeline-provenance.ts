import type { SecrelConfig } from './config.js';
import { isoOf } from './moments.js';
import { findTask } from './playbook-lookup.js';
import { taskKey } from './tasks.js';
import type { TransitionContext } from './transitions.js';
import type { PipelineEvent } from './types/events.js';
import type { Playbook } from './types/playbook.js';
import type {
  RefusedPipelineClaim,
  ReleaseState,
  TaskPipeline,
  TaskState,
  TimelineEntry,
} from './types/release.js';

/**
 * Pipeline provenance (DESIGN.md §4.1): `SECREL_*` variables are only a claim, since anyone who can run
 * a pipeline can set them. A pipeline completes an automated task only when its project, ref and id
 * equal what secrel recorded when it started that pipeline; every other claim is refused, recorded
 * once on the timeline (who, project, pipeline id: no ref, no variable text) and changes nothing.
 */

/** Pipeline variables secrel sets on the pipelines it starts. */
export const SECREL_VARIABLES = {
  releaseId: 'SECREL_RELEASE_ID',
  action: 'SECREL_ACTION',
  version: 'SECREL_VERSION',
} as const;

/** How many refused claims a release keeps (most recent last). */
export const REFUSED_CLAIMS_KEPT = 50;

/** The ref a pipeline runs on: `{version}` becomes the branch form of the version (`17.5` → `17-5`). */
export function pipelineRef(ref: string, version: string | undefined): string {
  return version === undefined ? ref : ref.replaceAll('{version}', version.replaceAll('.', '-'));
}

/** Whether a configured project (id or path) names the project an event comes from. */
export function sameProject(configured: number | string, projectId: number, projectPath: string): boolean {
  if (typeof configured === 'number') return configured === projectId;
  return configured === String(projectId) || configured.toLowerCase() === projectPath.toLowerCase();
}

/** What a pipeline claiming this release proves. */
export type PipelineClaim =
  | { readonly kind: 'confirmed'; readonly key: string }
  | {
      readonly kind: 'refused';
      /** The task claimed, when the variables name one of this release's tasks. */
      readonly key?: string;
      /** Non-confidential, one line. */
      readonly reason: string;
    };

/** The task key `SECREL_ACTION` (action kind or task id) and `SECREL_VERSION` name, if this release has it. */
export function claimedTaskKey(
  state: ReleaseState,
  variables: Readonly<Record<string, string>>,
  playbook: Playbook,
): string | undefined {
  const action = variables[SECREL_VARIABLES.action];
  if (action === undefined) return undefined;
  const task = playbook.tasks.find(
    (t) => t.id === action || (t.completion.kind === 'automated' && t.completion.action === action),
  );
  if (task === undefined) return undefined;
  const key =
    task.scope === 'release' ? taskKey(task.id) : taskKey(task.id, variables[SECREL_VARIABLES.version]);
  return state.tasks[key] === undefined ? undefined : key;
}

/** The configured pipeline target of the task a key names, with the ref it runs on. */
function targetOf(
  key: string,
  playbook: Playbook,
  config: SecrelConfig,
): { readonly project: number | string; readonly ref: string } | undefined {
  const at = key.indexOf('@');
  const taskId = at < 0 ? key : key.slice(0, at);
  const version = at < 0 ? undefined : key.slice(at + 1);
  const task = findTask(playbook, taskId);
  if (task?.completion.kind !== 'automated') return undefined;
  const target = (config.pipelines as Readonly<Record<string, { project: number | string; ref: string }>>)[
    task.completion.action
  ];
  return target && { project: target.project, ref: pipelineRef(target.ref, version) };
}

/**
 * Judges a pipeline whose `SECREL_RELEASE_ID` names this release: confirmed only when it is the very
 * pipeline secrel recorded for the task (project, ref and id), on the configured target.
 */
export function judgePipelineClaim(
  state: ReleaseState,
  event: PipelineEvent,
  playbook: Playbook,
  config: SecrelConfig,
): PipelineClaim {
  const key = claimedTaskKey(state, event.variables, playbook);
  if (key === undefined) return { kind: 'refused', reason: 'it names no automated task of this release' };
  const target = targetOf(key, playbook, config);
  if (target === undefined) return { kind: 'refused', key, reason: `no pipeline is configured for ${key}` };
  if (!sameProject(target.project, event.projectId, event.projectPath)) {
    return { kind: 'refused', key, reason: `it runs in another project than the one configured for ${key}` };
  }
  if (event.ref !== target.ref) {
    return { kind: 'refused', key, reason: `it runs on another ref than the one configured for ${key}` };
  }
  const last = state.tasks[key]?.lastPipeline;
  if (
    last === undefined ||
    last.pipelineId !== event.pipelineId ||
    last.projectId !== event.projectId ||
    (last.ref !== undefined && last.ref !== event.ref)
  ) {
    return { kind: 'refused', key, reason: `secrel has no record of starting pipeline ${event.pipelineId}` };
  }
  return { kind: 'confirmed', key };
}

/**
 * Records a refused claim: one timeline line per pipeline and status, nothing else changes.
 * Undefined when this exact claim was recorded before (a redelivery).
 */
export function refuseClaim(
  state: ReleaseState,
  event: PipelineEvent,
  claim: Extract<PipelineClaim, { kind: 'refused' }>,
  at: string,
): { state: ReleaseState; timeline: TimelineEntry[] } | undefined {
  const seen = state.refusedPipelineClaims ?? [];
  if (
    seen.some(
      (c) =>
        c.projectId === event.projectId && c.pipelineId === event.pipelineId && c.status === event.status,
    )
  )
    return undefined;
  const record: RefusedPipelineClaim = {
    projectId: event.projectId,
    pipelineId: event.pipelineId,
    ref: event.ref,
    status: event.status,
    updatedAt: event.updatedAt,
    ...(claim.key === undefined ? {} : { taskKey: claim.key }),
    ...(event.actor === undefined ? {} : { actor: event.actor }),
  };
  const who = event.actor === undefined ? 'an unknown user' : `@${event.actor}`;
  const claimed = claim.key ?? 'a task';
  return {
    state: { ...state, refusedPipelineClaims: [...seen, record].slice(-REFUSED_CLAIMS_KEPT) },
    timeline: [
      {
        at,
        kind: 'pipeline-claim-refused',
        summary: `refused: pipeline ${event.pipelineId} in project ${event.projectId} (${event.status}, run by ${who}) claims ${claimed} for this release, but ${claim.reason}; it changes nothing`,
        ...(event.actor === undefined ? {} : { actor: event.actor }),
      },
    ],
  };
}

/** The pipeline secrel just started for a task: what its action record holds. */
export interface StartedPipeline {
  readonly projectId: number;
  readonly pipelineId: number;
  readonly ref: string;
}

/**
 * Records on a task the pipeline secrel started for it. If that pipeline's webhook arrived before
 * this record (and was refused for it), its latest status is adopted now: a success completes the task.
 */
export function recordStartedPipeline(
  state: ReleaseState,
  key: string,
  started: StartedPipeline,
  ctx: TransitionContext,
): { state: ReleaseState; timeline: TimelineEntry[] } | undefined {
  const task = state.tasks[key];
  if (!task || task.status === 'done' || task.lastPipeline?.pipelineId === started.pipelineId)
    return undefined;
  const at = isoOf(ctx.now);
  const early = [...(state.refusedPipelineClaims ?? [])]
    .reverse()
    .find(
      (c) =>
        c.projectId === started.projectId &&
        c.pipelineId === started.pipelineId &&
        c.ref === started.ref &&
        c.taskKey === key,
    );
  // GitLab has not reported yet: the epoch, never the release clock (it runs ahead of GitLab's in local mode).
  const lastPipeline: TaskPipeline = {
    ...started,
    status: early?.status ?? 'created',
    updatedAt: early?.updatedAt ?? '1970-01-01T00:00:00.000Z',
  };
  const timeline: TimelineEntry[] = [
    {
      at,
      kind: 'pipeline-started',
      summary: `pipeline ${started.pipelineId} started for ${key}`,
      actor: 'secrel',
    },
  ];
  let updated: TaskState = { ...task, lastPipeline };
  if (early?.status === 'success') {
    updated = { ...updated, status: 'done', by: 'secrel', at, via: 'automation' };
    timeline.push({
      at,
      kind: 'task-done',
      summary: `${key} done: pipeline ${started.pipelineId} succeeded (reported before secrel recorded it)`,
      actor: 'secrel',
    });
  }
  return { state: { ...state, tasks: { ...state.tasks, [key]: updated } }, timeline };
}
