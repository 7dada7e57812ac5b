import { randomUUID } from 'node:crypto';
import type { DateTime } from 'luxon';
import { TaskDoesNotExistError } from './errors.js';

/**
 * Task tokens of the gates an execution waits on: what `$$.Task.Token` and
 * `SendTaskSuccess`/`SendTaskFailure` are on AWS. A token is answered at most once.
 */

/** A gate waiting for its token, as the dashboard may show it (never the token itself). */
export interface PendingGate {
  readonly releaseId: string;
  readonly gate: string;
  /** The state name that waits. */
  readonly state: string;
  readonly since: DateTime;
  readonly timeoutAt: DateTime | undefined;
}

interface Waiter extends PendingGate {
  readonly resolve: (output: unknown) => void;
  readonly reject: (error: Error) => void;
}

/** An opened token and the answer it will get. */
export interface OpenedToken {
  readonly token: string;
  readonly answer: Promise<unknown>;
}

/** The registry of tokens minted by the local engine. */
export class TaskTokens {
  private readonly waiters = new Map<string, Waiter>();

  /** Mints a token for a gate; its answer settles on success, failure, timeout or stop. */
  open(gate: PendingGate): OpenedToken {
    const token = `local-${randomUUID()}`;
    const answer = new Promise<unknown>((resolve, reject) => {
      this.waiters.set(token, { ...gate, resolve, reject });
    });
    return { token, answer };
  }

  /** `SendTaskSuccess`: the gate held; the output becomes the task's result. */
  succeed(token: string, output: unknown): void {
    this.take(token).resolve(output);
  }

  /** `SendTaskFailure`: the task fails with this error name, so the ASL's Retry/Catch can match it. */
  fail(token: string, error: string, cause: string): void {
    this.take(token).reject(namedError(error, cause));
  }

  /** Ends a token without an answer (timeout, stop); unknown tokens are ignored. */
  cancel(token: string, reason: Error): void {
    const waiter = this.waiters.get(token);
    if (!waiter) return;
    this.waiters.delete(token);
    waiter.reject(reason);
  }

  /** Ends every token of a release (its execution stopped). */
  cancelRelease(releaseId: string, reason: Error): void {
    for (const [token, waiter] of this.waiters) {
      if (waiter.releaseId === releaseId) this.cancel(token, reason);
    }
  }

  /** Gates waiting now, for one release or all. */
  pending(releaseId?: string): readonly PendingGate[] {
    return [...this.waiters.values()]
      .filter((w) => releaseId === undefined || w.releaseId === releaseId)
      .map(({ releaseId: id, gate, state, since, timeoutAt }) => ({
        releaseId: id,
        gate,
        state,
        since,
        timeoutAt,
      }));
  }

  private take(token: string): Waiter {
    const waiter = this.waiters.get(token);
    if (!waiter) throw new TaskDoesNotExistError('no gate waits on this task token');
    this.waiters.delete(token);
    return waiter;
  }
}

/** An Error whose `name` is an ASL error name (`Pipeline.Failed`), as Retry/Catch match it. */
export function namedError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}
