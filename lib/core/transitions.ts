import type { DateTime } from 'luxon';
import type { SecrelConfig } from './config.js';
import { ReleaseRuleError } from './errors.js';
import { evaluateGate, openHoldingGates, parseGateId } from './gates.js';
import { isoOf } from './moments.js';
import { applySignals } from './signals.js';
import type { PhaseId, Playbook } from './types/playbook.js';
import {
  type Applied,
  type Effect,
  type GateState,
  type IssueRef,
  RELEASE_STATUSES,
  type ReleaseState,
  type ReleaseStatus,
  type TimelineEntry,
} from './types/release.js';
import type { GateId } from './types/workflow.js';

/**
 * Pure transitions of a release: the ones the state machine's handlers call (gate tokens,
 * finished actions, phases, status) and {@link settle}, which every change goes through so
 * observed tasks and gates are re-evaluated and the revision moves by exactly one.
 */

/** What a transition needs besides the state: the process and the release clock's now (UTC). */
export interface TransitionContext {
  readonly playbook: Playbook;
  readonly now: DateTime;
}

/** What applying a GitLab event needs: config too, and optionally the cutoffs for status replies. */
export interface ReleaseContext extends TransitionContext {
  readonly config: SecrelConfig;
  /** Cutoff per phase as ISO strings, computed by the schedule module; shown in `/secrel status`. */
  readonly cutoffs?: Readonly<Partial<Record<PhaseId, string>>>;
}

/** A proposed change before {@link settle}: new state, what to record, what to do. */
export interface Change {
  readonly state: ReleaseState;
  readonly timeline: readonly TimelineEntry[];
  readonly effects: readonly Effect[];
}

/** The result of a transition that changed nothing. */
export function unchanged(state: ReleaseState): Applied {
  return { state, changed: false, timeline: [], effects: [] };
}

/**
 * Finishes a change: re-evaluates observed tasks, opens gates that now hold, and bumps
 * `revision` and `updatedAt` when anything differs from `before`.
 */
export function settle(
  before: ReleaseState,
  change: Change | undefined,
  ctx: TransitionContext,
  actor: string,
): Applied {
  if (change === undefined) return unchanged(before);
  const signals = applySignals(change.state, ctx.playbook, ctx.now, actor);
  const withTasks: ReleaseState = { ...change.state, tasks: signals.tasks };
  const gates = openHoldingGates(withTasks, ctx.playbook, ctx.now);
  const state: ReleaseState = { ...withTasks, gates: gates.gates };
  const effects = [...change.effects, ...gates.effects];
  if (effects.length === 0 && sameValue(before, state)) return unchanged(before);
  return {
    state: { ...state, revision: before.revision + 1, updatedAt: isoOf(ctx.now) },
    changed: true,
    timeline: [...change.timeline, ...signals.timeline, ...gates.timeline],
    effects,
  };
}

/** Structural equality of plain data (key order ignored). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const keysA = Object.keys(ra).filter((k) => ra[k] !== undefined);
  const keysB = Object.keys(rb).filter((k) => rb[k] !== undefined);
  return keysA.length === keysB.length && keysA.every((k) => sameValue(ra[k], rb[k]));
}

const SECREL = 'secrel';

/**
 * Stores the task token of a gate the state machine now waits on. If the gate already holds it
 * opens at once (`open-gate` with this token); if its pipeline already failed it fails at once.
 */
export function recordGateToken(
  state: ReleaseState,
  gate: string,
  token: string,
  ctx: TransitionContext,
): Applied {
  const gateId = parseGateId(gate);
  if (gateId === undefined) throw new ReleaseRuleError(`unknown gate ${gate}`);
  const current = state.gates[gate];
  if (current?.token === token) return unchanged(state);
  const at = isoOf(ctx.now);
  const waiting: GateState = { status: 'waiting', token, since: at };
  const failure = pipelineFailure(state, gateId, token);
  if (failure !== undefined) {
    return settle(
      state,
      {
        state: {
          ...state,
          gates: { ...state.gates, [gate]: { ...waiting, status: 'failed', failedAt: at } },
        },
        timeline: [{ at, kind: 'gate-failed', summary: `gate ${gate} failed: ${failure.cause}` }],
        effects: [failure],
      },
      ctx,
      SECREL,
    );
  }
  return settle(
    state,
    {
      state: { ...state, gates: { ...state.gates, [gate]: waiting } },
      timeline: [{ at, kind: 'gate-waiting', summary: `waiting on gate ${gate}` }],
      effects: [],
    },
    ctx,
    SECREL,
  );
}

/** A `fail-gate` effect when a `pipeline:` gate's pipeline already failed or was canceled. */
function pipelineFailure(
  state: ReleaseState,
  gate: GateId,
  token: string,
): Extract<Effect, { type: 'fail-gate' }> | undefined {
  if (!gate.startsWith('pipeline:')) return undefined;
  const key = gate.slice('pipeline:'.length);
  const task = state.tasks[key];
  const status = task?.lastPipeline?.status;
  if (task?.status === 'done' || (status !== 'failed' && status !== 'canceled')) return undefined;
  return { type: 'fail-gate', gate, token, error: 'Pipeline.Failed', cause: `pipeline for ${key} ${status}` };
}

/** How an automated action ended, and what it created that the release must know about. */
export interface AutomatedResult {
  /** Only `succeeded` completes a task: a step with no target is handed to its owners (`manual-steps.ts`). */
  readonly outcome?: 'succeeded';
  /** Set by the action that creates the release issue. */
  readonly releaseIssue?: IssueRef;
  /** Set by the action that creates the mitigation issue. */
  readonly mitigationIssue?: IssueRef;
}

/** Marks an automated task done by secrel (idempotent: a second call changes nothing). */
export function completeAutomatedTask(
  state: ReleaseState,
  key: string,
  ctx: TransitionContext,
  result: AutomatedResult = {},
): Applied {
  const task = state.tasks[key];
  if (task === undefined) throw new ReleaseRuleError(`no task ${key} in release ${state.id}`);
  const at = isoOf(ctx.now);
  let next: ReleaseState = state;
  const timeline: TimelineEntry[] = [];
  if (task.status !== 'done') {
    next = {
      ...next,
      tasks: { ...next.tasks, [key]: { ...task, status: 'done', by: SECREL, at, via: 'automation' } },
    };
    timeline.push({ at, kind: 'task-done', summary: `${key} done by secrel`, actor: SECREL });
  }
  if (result.releaseIssue && next.releaseIssue === undefined) {
    next = { ...next, releaseIssue: result.releaseIssue };
    timeline.push({ at, kind: 'release-issue', summary: `release issue #${result.releaseIssue.iid} linked` });
  }
  if (result.mitigationIssue && next.mitigationIssue === undefined) {
    next = { ...next, mitigationIssue: { ...result.mitigationIssue, state: 'opened' } };
    timeline.push({
      at,
      kind: 'mitigation-issue',
      summary: `mitigation issue #${result.mitigationIssue.iid} linked`,
    });
  }
  if (next === state) return unchanged(state);
  return settle(state, { state: next, timeline, effects: [] }, ctx, SECREL);
}

/** Moves the release into a phase of the schedule; the status follows (planning → running → afterwards). */
export function enterPhase(state: ReleaseState, phase: PhaseId, ctx: TransitionContext): Applied {
  if (state.phase === phase || state.status === 'aborted' || state.status === 'completed')
    return unchanged(state);
  // Phases never go backwards, whatever is re-driven or restarted (issue #10).
  const order = ctx.playbook.phases.map((p) => p.id);
  if (order.indexOf(phase) < order.indexOf(state.phase)) return unchanged(state);
  const status = statusOnEntering(state.status, phase);
  const title = ctx.playbook.phases.find((p) => p.id === phase)?.title ?? phase;
  const at = isoOf(ctx.now);
  // The phase's start gate timed out to get here: its token is spent, so nothing re-times it later.
  const startGate = state.gates[`start:${phase}`];
  const gates = startGate
    ? {
        ...state.gates,
        [`start:${phase}`]: { status: 'open' as const, since: startGate.since, openedAt: at },
      }
    : state.gates;
  return settle(
    state,
    {
      state: { ...state, phase, status, gates },
      timeline: [{ at, kind: 'phase', summary: `entered ${title}` }],
      effects: [],
    },
    ctx,
    SECREL,
  );
}

/** The status a release has after entering a phase; publication and disclosure keep theirs until Afterwards. */
function statusOnEntering(status: ReleaseStatus, phase: PhaseId): ReleaseStatus {
  if (phase === 'afterwards') return 'afterwards';
  if (phase === 'first-steps') return status;
  return status === 'planning' || status === 'scheduled' ? 'running' : status;
}

/** Sets the release status (publishing, disclosing, completed, ...); an aborted or completed release stays so. */
export function setStatus(state: ReleaseState, status: ReleaseStatus, ctx: TransitionContext): Applied {
  if (state.status === status || state.status === 'aborted' || state.status === 'completed') {
    return unchanged(state);
  }
  // A status never goes back: disclosure finishing after Afterwards started leaves it in Afterwards.
  if (status !== 'aborted' && RELEASE_STATUSES.indexOf(status) < RELEASE_STATUSES.indexOf(state.status)) {
    return unchanged(state);
  }
  const at = isoOf(ctx.now);
  return settle(
    state,
    {
      state: { ...state, status },
      timeline: [{ at, kind: 'status', summary: `status ${status}` }],
      effects: [],
    },
    ctx,
    SECREL,
  );
}

/**
 * Records that an automated action failed (after its retries): a timeline line, and a notice to
 * release managers and the security lead. `error` must be non-confidential (an HTTP status, an id).
 */
export function recordActionFailure(
  state: ReleaseState,
  subject: string,
  error: string,
  ctx: TransitionContext,
): Applied {
  const at = isoOf(ctx.now);
  const firstLine = (error.split('\n')[0] ?? '').slice(0, 200);
  return settle(
    state,
    {
      state,
      timeline: [{ at, kind: 'action-failed', summary: `${subject} failed: ${firstLine}`, actor: SECREL }],
      effects: [
        {
          type: 'notify',
          roles: ['release managers', 'security lead'],
          message: `Security release ${state.id}: ${subject} failed; see the release issue.`,
        },
      ],
    },
    ctx,
    SECREL,
  );
}

/** Whether a gate holds right now (for handlers deciding to wait). */
export function gateHolds(state: ReleaseState, gate: GateId, playbook: Playbook): boolean {
  return evaluateGate(state, gate, playbook).holds;
}
