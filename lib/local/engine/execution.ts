import type { DateTime } from 'luxon';

/**
 * What the dashboard and tests see of one execution: status, the state it is in, and the states
 * it entered, stamped with release-clock times. Transitions are counted as Step Functions bills
 * them: every entered state (retries are counted apart).
 */

/** Life of an execution, as Step Functions names it. */
export type ExecutionStatus = 'running' | 'succeeded' | 'failed' | 'aborted';

/** One entered state. `iteration` is the Map iteration (affected version index) when inside a Map. */
export interface ExecutionStep {
  readonly state: string;
  /** Release-clock time, ISO with `Z`. */
  readonly at: string;
  readonly iteration?: number;
}

/** A snapshot of one execution. */
export interface ExecutionView {
  readonly releaseId: string;
  readonly status: ExecutionStatus;
  /** 1 for the first start, then one more per re-drive. */
  readonly run: number;
  readonly startedAt: string;
  readonly stoppedAt?: string;
  /** The state entered last. */
  readonly currentState?: string;
  /** States entered and not yet left (several during the publish fan-out). */
  readonly activeStates: readonly string[];
  /** Entered states: the state transitions of this run. */
  readonly transitions: number;
  readonly retries: number;
  /** Entered states in order (the most recent {@link HISTORY_LIMIT}). */
  readonly history: readonly ExecutionStep[];
  /** Why it failed or was stopped: error names and non-confidential causes only. */
  readonly error?: { readonly error: string; readonly cause: string };
}

/** At most this many history steps are kept per execution. */
export const HISTORY_LIMIT = 2_000;

/** The event fields the tracker reads from aws-local-stepfunctions' event log. */
export interface EngineEvent {
  readonly type: string;
  readonly timestamp: number;
  readonly index?: number;
  readonly state?: { readonly name: string };
}

/** Keeps one execution's view up to date from the engine's events. */
export class ExecutionTracker {
  private status: ExecutionStatus = 'running';
  private stoppedAt: string | undefined;
  private current: string | undefined;
  private readonly active = new Map<string, number>();
  private transitions = 0;
  private retries = 0;
  private readonly history: ExecutionStep[] = [];
  private error: { error: string; cause: string } | undefined;

  constructor(
    readonly releaseId: string,
    readonly run: number,
    private readonly startedAt: string,
    private readonly releaseTime: (realMs: number) => DateTime,
  ) {}

  /** True while the execution has not ended. */
  get running(): boolean {
    return this.status === 'running';
  }

  /** Applies one event of the engine's event log. */
  record(event: EngineEvent): void {
    const name = event.state?.name;
    if (!name) return;
    const key = event.index === undefined ? name : `${name}#${event.index}`;
    switch (event.type) {
      case 'StateEntered': {
        this.transitions += 1;
        this.current = name;
        this.active.set(key, (this.active.get(key) ?? 0) + 1);
        const at = this.releaseTime(event.timestamp).toISO() ?? '';
        this.history.push(
          event.index === undefined ? { state: name, at } : { state: name, at, iteration: event.index },
        );
        if (this.history.length > HISTORY_LIMIT) this.history.shift();
        break;
      }
      case 'StateRetried':
        this.retries += 1;
        this.active.set(key, (this.active.get(key) ?? 0) + 1);
        break;
      case 'StateExited':
      case 'StateFailed':
        this.leave(key);
        break;
      default:
        break;
    }
  }

  /** Marks the end of the execution. */
  finish(
    status: Exclude<ExecutionStatus, 'running'>,
    at: DateTime,
    error?: { error: string; cause: string },
  ): void {
    if (!this.running) return;
    this.status = status;
    this.stoppedAt = at.toISO() ?? undefined;
    this.active.clear();
    this.error = error;
  }

  /** A snapshot for the dashboard. */
  view(): ExecutionView {
    return {
      releaseId: this.releaseId,
      status: this.status,
      run: this.run,
      startedAt: this.startedAt,
      ...(this.stoppedAt ? { stoppedAt: this.stoppedAt } : {}),
      ...(this.current ? { currentState: this.current } : {}),
      activeStates: [...new Set([...this.active.keys()].map((key) => key.replace(/#\d+$/, '')))],
      transitions: this.transitions,
      retries: this.retries,
      history: [...this.history],
      ...(this.error ? { error: this.error } : {}),
    };
  }

  private leave(key: string): void {
    const count = (this.active.get(key) ?? 0) - 1;
    if (count > 0) this.active.set(key, count);
    else this.active.delete(key);
  }
}
