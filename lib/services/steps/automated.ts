import { evaluateGate } from '../../core/gates.js';
import { handToOwners } from '../../core/manual-steps.js';
import { pipelineRef, recordStartedPipeline, type StartedPipeline } from '../../core/pipeline-provenance.js';
import { replyTarget } from '../../core/release/command-reply.js';
import { windowOf } from '../../core/schedule.js';
import { taskKey } from '../../core/tasks.js';
import {
  type AutomatedResult,
  completeAutomatedTask,
  recordActionFailure,
  setStatus,
  settle,
  unchanged,
} from '../../core/transitions.js';
import type { ActionKind, Task } from '../../core/types/playbook.js';
import type { ReleaseState } from '../../core/types/release.js';
import type { ActionResponse } from '../../core/types/workflow.js';
import { ActionFailedError, timeoutSeconds } from '../../core/workflow-steps.js';
import type { RuntimeDeps } from '../types.js';
import { type ActionEffect, type ActionPerformer, projectIdOf } from './context.js';
import {
  addVersionEntry,
  liftConfidentiality,
  thankReporters,
  updateAcknowledgements,
} from './disclosure.js';
import {
  createDraftMergeRequest,
  createMitigationIssue,
  createPatchBranch,
  createReleaseIssue,
  openLessonsLearned,
} from './issues.js';
import { once } from './once.js';
import { isPipelineAction, startPipeline } from './pipelines.js';
import { contextOf, loadRelease, scheduleOf, transition } from './release-state.js';
import { gateCutoff } from './timing.js';

/**
 * The `action` step: one automated task of the playbook, at most once per release and version,
 * never published before the publish gate holds (DESIGN.md §4.1) and never disclosed before
 * every publish action succeeded (§4.2), whatever the state machine asks.
 */

const PERFORMERS: Readonly<Record<ActionKind, ActionPerformer>> = {
  'create-release-issue': createReleaseIssue,
  'create-patch-branch': createPatchBranch,
  'create-draft-mr': createDraftMergeRequest,
  'create-mitigation-issue': createMitigationIssue,
  'build-test-packages': startPipeline,
  'build-packages': startPipeline,
  'publish-packages': startPipeline,
  'publish-docker': startPipeline,
  'update-githost': startPipeline,
  'publish-code': startPipeline,
  'add-version-entries': addVersionEntry,
  'update-acknowledgements': updateAcknowledgements,
  'lift-confidentiality': liftConfidentiality,
  'thank-reporters': thankReporters,
  'open-lessons-learned': openLessonsLearned,
};

/** The playbook task an action completes. */
function taskOf(deps: RuntimeDeps, action: ActionKind): Task {
  const task = deps.playbook.tasks.find(
    (t) => t.completion.kind === 'automated' && t.completion.action === action,
  );
  if (!task) throw new ActionFailedError(`the playbook has no task done by ${action}`);
  return task;
}

/** Refuses what the gates do not allow yet: the belt to the state machine's braces. */
function checkStage(deps: RuntimeDeps, state: ReleaseState, task: Task): void {
  if (task.stage === 'publish' && !evaluateGate(state, 'publish', deps.playbook).holds) {
    throw new ActionFailedError('publish gate not open');
  }
  if (task.stage === 'disclose' && !evaluateGate(state, 'disclose', deps.playbook).holds) {
    throw new ActionFailedError('disclosure gate not open: not every publish action succeeded');
  }
}

/** Records a pipeline secrel started on its task (adopting its status if its webhook got there first). */
function recordPipeline(deps: RuntimeDeps, key: string, started: StartedPipeline) {
  return (state: ReleaseState) => {
    const ctx = contextOf(deps);
    const change = recordStartedPipeline(state, key, started, ctx);
    return change === undefined ? unchanged(state) : settle(state, { ...change, effects: [] }, ctx, 'secrel');
  };
}

function completion(effect: ActionEffect): AutomatedResult {
  return { outcome: 'succeeded', ...(effect.created ?? {}) };
}

/** Kept on the action record when a step had no target, so a re-run hands it over again instead of completing it. */
const MANUAL_PART = 'manual';

/** Hands a step with nothing configured to its owners (skipped is never done). */
function handOver(deps: RuntimeDeps, key: string) {
  return (state: ReleaseState) => handToOwners(state, key, replyTarget(state), contextOf(deps));
}

/** Reads back what a finished record stored, for an answer without calling out again. */
function storedEffect(
  action: ActionKind,
  result: Readonly<Record<string, string | number>>,
): ActionEffect | undefined {
  const pipeline = result['part:pipeline'];
  const project = result['part:pipeline-project'];
  if (isPipelineAction(action) && typeof pipeline === 'number')
    return {
      outcome: 'pipeline-started',
      pipelineId: pipeline,
      ...(typeof project === 'number' ? { pipelineProjectId: project } : {}),
    };
  return undefined;
}

/**
 * Records the pipeline an action started on its task. Also called when the action's record was
 * already finished: the write after it may have been lost (storage down, a crash), and without
 * the record neither the pipeline's webhook nor reconciliation can complete the task.
 */
async function recordStarted(
  deps: RuntimeDeps,
  releaseId: string,
  action: ActionKind,
  key: string,
  version: string | undefined,
  done: ActionEffect,
): Promise<ReleaseState | undefined> {
  const target = isPipelineAction(action) ? deps.config.pipelines[action] : undefined;
  if (done.pipelineId === undefined || target === undefined) return undefined;
  // GitLab's answer names the project even when config gives a path that is not a configured project;
  // when that answer was lost with the attempt that got it, GitLab is asked again.
  const projectId =
    done.pipelineProjectId ??
    projectIdOf(deps, target.project) ??
    (await deps.gitlab.getPipeline(target.project, done.pipelineId)).projectId;
  const started = { projectId, pipelineId: done.pipelineId, ref: pipelineRef(target.ref, version) };
  return transition(deps, releaseId, recordPipeline(deps, key, started));
}

/** Performs one automated action for the release (and version) and answers the state machine. */
export async function runAction(
  deps: RuntimeDeps,
  releaseId: string,
  action: ActionKind,
  version: string | undefined,
): Promise<ActionResponse> {
  const task = taskOf(deps, action);
  const key = task.scope === 'release' ? taskKey(task.id) : taskKey(task.id, version);
  if (task.scope !== 'release' && version === undefined)
    throw new ActionFailedError(`${action} needs an affected version`);
  let state = await loadRelease(deps, releaseId);
  if (state.tasks[key] === undefined) throw new ActionFailedError(`release ${releaseId} has no task ${key}`);
  const answer = (outcome: ActionResponse['outcome'], pipelineId?: number): ActionResponse => {
    const schedule = scheduleOf(state, deps);
    const window = schedule && windowOf(schedule, task.phase);
    const cutoff = window?.cutoff ?? gateCutoff(state, schedule, 'schedule-confirmed', deps.playbook);
    return {
      task: key,
      ...(version === undefined ? {} : { version }),
      outcome,
      ...(pipelineId === undefined ? {} : { pipelineId }),
      secondsToCutoff: timeoutSeconds(deps.clock.now(), cutoff),
    };
  };
  const settled = state.tasks[key];
  if (settled?.status === 'done' || settled?.status === 'waived') return answer('already-done');
  checkStage(deps, state, task);

  if (task.stage === 'publish' || task.stage === 'disclose') {
    const status = task.stage === 'publish' ? 'publishing' : 'disclosing';
    state = await transition(deps, releaseId, (s) => setStatus(s, status, contextOf(deps)));
  }

  const context = { deps, state, action, key, ...(version === undefined ? {} : { version }) };
  let effect: ActionEffect | undefined;
  const outcome = await once(deps, { releaseId, action, subject: version ?? 'release' }, async (parts) => {
    effect = await PERFORMERS[action](context, parts);
    if (effect.outcome === 'skipped') await parts.part(MANUAL_PART, async () => MANUAL_PART);
  });

  if (outcome.kind === 'already-done') {
    const stored = storedEffect(action, outcome.result);
    if (stored) {
      state = (await recordStarted(deps, releaseId, action, key, version, stored)) ?? state;
      return answer('already-done', stored.pipelineId);
    }
    if (outcome.result[`part:${MANUAL_PART}`] !== undefined) {
      state = await transition(deps, releaseId, handOver(deps, key));
      return answer('skipped');
    }
    // The record finished but the state may not have been written (a crash in between): write it now.
    state = await transition(deps, releaseId, (s) =>
      completeAutomatedTask(s, key, contextOf(deps), { outcome: 'succeeded' }),
    );
    return answer('already-done');
  }
  if (outcome.interrupted.length > 0 || !effect) {
    const reason = `interrupted during ${outcome.interrupted.join(', ')}; check GitLab, then finish ${key} by hand`;
    deps.logger.warn('action interrupted earlier; not repeated', { releaseId, action, key });
    state = await transition(deps, releaseId, (s) => recordActionFailure(s, key, reason, contextOf(deps)));
    return answer('interrupted');
  }
  const done = effect;
  if (done.outcome === 'pipeline-started') {
    state = (await recordStarted(deps, releaseId, action, key, version, done)) ?? state;
    return answer('pipeline-started', done.pipelineId);
  }
  if (done.outcome === 'skipped') {
    state = await transition(deps, releaseId, handOver(deps, key));
    return answer('skipped');
  }
  state = await transition(deps, releaseId, (s) =>
    completeAutomatedTask(s, key, contextOf(deps), completion(done)),
  );
  return answer(done.outcome);
}
