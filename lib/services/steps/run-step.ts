import type { ActionRequest, StepResponses } from '../../core/types/workflow.js';
import type { RuntimeDeps } from '../types.js';
import { runAction } from './automated.js';
import { completeRelease } from './complete.js';
import { askOwners, escalate, publishFailed, remind, tellOwners } from './notices.js';
import { stepFailed } from './recovery.js';
import { readDeadlines, readSchedule } from './schedule-step.js';
import { isStepError, toStepError } from './step-errors.js';

/**
 * The actions function (DESIGN.md §1): one step of the state machine's protocol
 * (`lib/core/types/workflow.ts`) per call. Errors reach the machine named `Action.Transient`
 * (retried with backoff) or `Action.Failed` (stops; during publication, before any disclosure).
 */

/** The answer to a request of a given step kind. */
export type StepResponse<R extends ActionRequest> = StepResponses[R['step']];

/** Runs one step for the state machine. */
export async function runStep<R extends ActionRequest>(
  deps: RuntimeDeps,
  request: R,
): Promise<StepResponse<R>> {
  try {
    return (await dispatch(deps, request)) as StepResponse<R>;
  } catch (err) {
    const named = isStepError(err) ? (err as Error) : toStepError(err);
    deps.logger.warn('step failed', {
      releaseId: request.releaseId,
      step: request.step,
      error: named.name,
      reason: named.message,
    });
    throw named;
  }
}

async function dispatch(
  deps: RuntimeDeps,
  request: ActionRequest,
): Promise<StepResponses[ActionRequest['step']]> {
  switch (request.step) {
    case 'action':
      return runAction(deps, request.releaseId, request.task, request.version);
    case 'tell-owners':
      return tellOwners(deps, request.releaseId, request.phase);
    case 'schedule':
      return readSchedule(deps, request.releaseId);
    case 'deadlines':
      return readDeadlines(deps, request.releaseId, request.gate);
    case 'remind':
      return remind(deps, request.releaseId, request.gate);
    case 'escalate':
      return escalate(deps, request.releaseId, request.gate);
    case 'ask-owners':
      return askOwners(deps, request.releaseId, request.task);
    case 'publish-failed':
      return publishFailed(deps, request.releaseId, request.error);
    case 'complete':
      return completeRelease(deps, request.releaseId);
    case 'step-failed':
      return stepFailed(deps, request.releaseId, request.task, request.error);
  }
}
