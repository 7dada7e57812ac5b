import { ReleaseRuleError } from '../../core/errors.js';
import { isTransientStatus } from '../../core/transient-status.js';
import { WORKFLOW_ERRORS } from '../../core/types/workflow.js';
import { ActionFailedError, ActionTransientError } from '../../core/workflow-steps.js';

/**
 * How a failed call to the outside world is judged: worth a retry or not, and whether the other
 * side answered at all (when it did not, the call may have taken effect: a crash-like case).
 */
export interface FailureJudgement {
  readonly transient: boolean;
  /** True when the other side answered with an error, so the call did not take effect. */
  readonly answered: boolean;
  /** One line, non-confidential: adapters' messages carry statuses and operations, never bodies. */
  readonly reason: string;
}

const MAX_REASON = 200;

function statusOf(err: object): number | undefined {
  return 'status' in err && typeof err.status === 'number' ? err.status : undefined;
}

/** Judges an error thrown by an adapter (GitLab, version server, HackerOne) or by secrel itself. */
export function judgeFailure(err: unknown): FailureJudgement {
  const message = err instanceof Error ? err.message : 'unknown failure';
  const reason = (message.split('\n')[0] ?? '').slice(0, MAX_REASON);
  if (err instanceof ActionFailedError || err instanceof ReleaseRuleError) {
    return { transient: false, answered: true, reason };
  }
  if (err instanceof ActionTransientError) return { transient: true, answered: true, reason };
  if (typeof err === 'object' && err !== null) {
    const status = statusOf(err);
    if ('transient' in err && typeof err.transient === 'boolean') {
      return { transient: err.transient, answered: status !== undefined, reason };
    }
    if (status !== undefined) return { transient: isTransientStatus(status), answered: true, reason };
  }
  // A lost connection or an unknown error: retry, but the call may have gone through.
  return { transient: true, answered: false, reason };
}

/** The error the state machine sees: named `Action.Transient` or `Action.Failed` for its Retry/Catch. */
export function toStepError(err: unknown): Error {
  if (err instanceof ActionFailedError || err instanceof ActionTransientError) return err;
  const judged = judgeFailure(err);
  return judged.transient ? new ActionTransientError(judged.reason) : new ActionFailedError(judged.reason);
}

/** True for an error already carrying a step error name. */
export function isStepError(err: unknown): boolean {
  return (
    err instanceof Error && (err.name === WORKFLOW_ERRORS.transient || err.name === WORKFLOW_ERRORS.failed)
  );
}
