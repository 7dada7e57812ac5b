import type { DateTime } from 'luxon';
import { DEFAULT_PLAYBOOK } from '../../../lib/core/default-playbook.js';
import { findTask } from '../../../lib/core/playbook-lookup.js';
import type { PhaseId, Playbook } from '../../../lib/core/types/playbook.js';
import type {
  ActionRequest,
  GateId,
  GateRequest,
  PhaseTimes,
  ScheduleKey,
  ScheduleResponse,
} from '../../../lib/core/types/workflow.js';
import {
  ActionFailedError,
  ActionTransientError,
  deadlinesFor,
  nextEscalation,
  parseGate,
  scheduleKey,
  timeoutSeconds,
  toStepTimestamp,
  untilCutoff,
} from '../../../lib/core/workflow-steps.js';
import type { ReleaseClock } from '../../../lib/local/clock.js';
import type { LocalHandlers } from '../../../lib/local/engine/index.js';
import type { Workflow } from '../../../lib/ports.js';

/**
 * A tiny fake release for driving the real ASL: it answers the step protocol from an in-memory
 * schedule, and opens gates unless the test holds them. It records every call with the release
 * time it happened at, so tests assert on what the release did, not on how long it took.
 */

/** One recorded call: the request and the release time it arrived. */
export interface Call<T> {
  readonly request: T;
  readonly at: DateTime;
}

/** Options of {@link FakeRelease}. */
export interface FakeReleaseOptions {
  readonly clock: ReleaseClock;
  readonly dayOne: DateTime;
  readonly versions?: readonly string[];
  /** The playbook whose schedule the fake answers; the seed's when absent. */
  readonly playbook?: Playbook;
}

export class FakeRelease implements LocalHandlers {
  readonly actionCalls: Call<ActionRequest>[] = [];
  readonly gateCalls: Call<GateRequest>[] = [];
  /** Hours every cutoff and start has slipped (`/secrel slip`). */
  slipHours = 0;
  /** Gates that stay closed until {@link open}. */
  readonly held = new Set<GateId>();
  /** Throws this error from the action with this task key (`publish-packages@17.4`) every time. */
  readonly failing = new Map<string, Error>();
  /** Throws a transient error from the action with this task key this many more times. */
  readonly transient = new Map<string, number>();
  /** Runs before answering each action: lets a test change the release as it goes. */
  onAction: ((request: ActionRequest) => void) | undefined;
  workflow: Workflow | undefined;

  private readonly clock: ReleaseClock;
  private readonly dayOne: DateTime;
  private readonly versions: readonly string[];
  private readonly playbook: Playbook;
  private readonly tokens = new Map<GateId, string>();
  private readonly waiters: { check: () => boolean; resolve: () => void }[] = [];

  constructor(options: FakeReleaseOptions) {
    this.clock = options.clock;
    this.dayOne = options.dayOne;
    this.versions = options.versions ?? ['17.5', '17.4', '17.3'];
    this.playbook = options.playbook ?? DEFAULT_PLAYBOOK;
  }

  async actions(request: ActionRequest): Promise<unknown> {
    const now = this.clock.now();
    this.actionCalls.push({ request, at: now });
    this.onAction?.(request);
    this.settleWaiters();
    switch (request.step) {
      case 'action': {
        const key = request.version ? `${request.task}@${request.version}` : request.task;
        const failure = this.failing.get(key);
        if (failure) throw failure;
        const left = this.transient.get(key) ?? 0;
        if (left > 0) {
          this.transient.set(key, left - 1);
          throw new ActionTransientError(`${key}: GitLab answered 503`);
        }
        const phase = findTask(this.playbook, taskIdOf(request.task))?.phase ?? 'day-four-end';
        return {
          task: request.task,
          ...(request.version ? { version: request.version } : {}),
          outcome: 'done',
          secondsToCutoff: timeoutSeconds(now, this.cutoffOf(phase)),
        };
      }
      case 'schedule':
        return this.schedule(now);
      case 'deadlines':
        return deadlinesFor(now, this.gateCutoff(request.gate));
      case 'remind':
        return untilCutoff(now, this.gateCutoff(request.gate));
      case 'escalate':
        return nextEscalation(now);
      case 'step-failed':
        return untilCutoff(now, this.gateCutoff(`recover:${request.task}`));
      case 'tell-owners':
        return deadlinesFor(now, this.gateCutoff(`phase:${request.phase}`));
      default:
        return { ok: true };
    }
  }

  async gate(request: GateRequest): Promise<void> {
    this.gateCalls.push({ request, at: this.clock.now() });
    this.tokens.set(request.gate, request.token);
    this.settleWaiters();
    // A phase start never holds: the machine waits for its timeout, as with the real gate function.
    if (!this.held.has(request.gate) && !request.gate.startsWith('start:')) await this.open(request.gate);
  }

  /** `/secrel retry`: fails a held recovery gate with `Step.Retry`, as ingress does. */
  async retry(gate: GateId): Promise<void> {
    const token = this.tokens.get(gate);
    if (!token) throw new Error(`nothing waits on ${gate}`);
    this.tokens.delete(gate);
    await this.workflow?.sendTaskFailure(token, 'Step.Retry', `${gate} retried`);
  }

  /** `/secrel slip`: moves the schedule and fails every waiting timed gate with `Schedule.Moved`, as ingress does. */
  async slip(hours: number): Promise<void> {
    this.slipHours += hours;
    for (const [gate, token] of [...this.tokens]) {
      if (gate.startsWith('merged:')) continue;
      this.tokens.delete(gate);
      await this.workflow
        ?.sendTaskFailure(token, 'Schedule.Moved', 'the schedule moved')
        .catch(() => undefined);
    }
  }

  /** Opens a held gate: sends task success with the token it last stored. */
  async open(gate: GateId): Promise<void> {
    this.held.delete(gate);
    const token = this.tokens.get(gate);
    if (!token) return;
    this.tokens.delete(gate);
    await this.workflow?.sendTaskSuccess(token, { gate, openedAt: toStepTimestamp(this.clock.now()) });
  }

  /** Fails a held pipeline gate as ingress does when the pipeline failed. */
  async failPipeline(gate: GateId): Promise<void> {
    const token = this.tokens.get(gate);
    if (!token) throw new Error(`nothing waits on ${gate}`);
    this.tokens.delete(gate);
    await this.workflow?.sendTaskFailure(token, 'Pipeline.Failed', `pipeline for ${gate} failed`);
  }

  /** Resolves once the recorded calls satisfy `check`. */
  until(check: () => boolean): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ check, resolve }));
  }

  /** Action calls of one step kind. */
  steps<S extends ActionRequest['step']>(step: S): Call<Extract<ActionRequest, { step: S }>>[] {
    return this.actionCalls.filter(
      (c): c is Call<Extract<ActionRequest, { step: S }>> => c.request.step === step,
    );
  }

  /** Task keys of the automated actions performed, in order (`publish-packages@17.5`). */
  actionKeys(): string[] {
    return this.steps('action').map((c) =>
      c.request.version ? `${c.request.task}@${c.request.version}` : c.request.task,
    );
  }

  /** When a phase starts, after slips; null for First steps. */
  startOf(phase: PhaseId): DateTime | null {
    const start = this.playbook.phases.find((p) => p.id === phase)?.start;
    return start ? this.at(start.dayOffset, start.time) : null;
  }

  /** The cutoff of a phase, after slips. */
  cutoffOf(phase: PhaseId): DateTime {
    const cutoff = this.playbook.phases.find((p) => p.id === phase)?.cutoff;
    if (!cutoff) throw new Error(`no phase ${phase}`);
    return this.at(cutoff.dayOffset, cutoff.time);
  }

  private at(dayOffset: number, time: string): DateTime {
    const [hour = 0, minute = 0] = time.split(':').map(Number);
    return this.dayOne.plus({ days: dayOffset }).set({ hour, minute }).plus({ hours: this.slipHours });
  }

  private gateCutoff(gate: GateId): DateTime {
    const parsed = parseGate(gate);
    switch (parsed.kind) {
      case 'schedule-confirmed':
        return this.dayOne;
      case 'phase':
        return this.cutoffOf(parsed.phase);
      case 'start':
        return this.startOf(parsed.phase) ?? this.cutoffOf(parsed.phase);
      case 'pipeline':
        return this.cutoffOf(findTask(this.playbook, taskIdOf(parsed.task))?.phase ?? 'day-four-end');
      default:
        return this.cutoffOf('day-four-end');
    }
  }

  private schedule(now: DateTime): ScheduleResponse {
    const phases = {} as Record<ScheduleKey, PhaseTimes>;
    for (const phase of this.playbook.phases) {
      const start = this.startOf(phase.id);
      phases[scheduleKey(phase.id)] = {
        start: start ? toStepTimestamp(start) : null,
        cutoff: toStepTimestamp(this.cutoffOf(phase.id)),
      };
    }
    return { now: toStepTimestamp(now), versions: this.versions, phases };
  }

  private settleWaiters(): void {
    for (const waiter of [...this.waiters]) {
      if (waiter.check()) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  }
}

/** Playbook task ids differ from action names in a few places. */
function taskIdOf(action: string): string {
  const ids: Record<string, string> = {
    'create-release-issue': 'release-issue',
    'create-patch-branch': 'patch-branch',
    'create-draft-mr': 'draft-mr',
    'create-mitigation-issue': 'mitigation',
    'add-version-entries': 'version-entries',
    'open-lessons-learned': 'lessons-learned',
  };
  return ids[action] ?? action;
}

/** Rethrown as-is by the fake, to fail a publish step for good. */
export function permanentFailure(message: string): Error {
  return new ActionFailedError(message);
}
