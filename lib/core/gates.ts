import type { DateTime } from 'luxon';
import { isoOf } from './moments.js';
import { mergedFor } from './signals.js';
import { expandTasks, type TaskInstance } from './tasks.js';
import { PHASE_ID_PATTERN, type PhaseId, type Playbook } from './types/playbook.js';
import type { Effect, GateState, ReleaseState, TaskState, TimelineEntry } from './types/release.js';
import type { GateId } from './types/workflow.js';

/**
 * Gates the state machine waits on (DESIGN.md §6). Each is a rule over the release state; the
 * state machine stores a task token and secrel sends it back the moment the rule holds.
 */

/**
 * Tasks that must be done, not waived, before publication (DESIGN.md §4.1): packages built for
 * every affected version, and validation of the fixes for all releases.
 */
export const PUBLISH_NEEDS_DONE = { actions: ['build-packages'], taskIds: ['validate-all'] } as const;

/** Whether a gate holds and, when it does not, what is missing (task ids, roles, MR iids: nothing confidential). */
export interface GateEvaluation {
  readonly holds: boolean;
  readonly missing: readonly string[];
}

/** The gate of a phase. */
export function phaseGate(phase: PhaseId): GateId {
  return `phase:${phase}`;
}

/** The gate that waits for the pipeline secrel started for a task key. */
export function pipelineGate(taskKey: string): GateId {
  return `pipeline:${taskKey}`;
}

/** Reads a gate id, or undefined when it names no gate. */
export function parseGateId(value: string): GateId | undefined {
  if (value === 'schedule-confirmed' || value === 'publish' || value === 'disclose') return value;
  if (value.startsWith('phase:')) {
    const phase = value.slice('phase:'.length);
    return PHASE_ID_PATTERN.test(phase) ? (value as GateId) : undefined;
  }
  if (value.startsWith('recover:') && value.length > 'recover:'.length) return value as GateId;
  if (value.startsWith('start:') && PHASE_ID_PATTERN.test(value.slice('start:'.length))) {
    return value as GateId;
  }
  if (value.startsWith('merged:') && /^[0-9]+\.[0-9]+$/.test(value.slice('merged:'.length))) {
    return value as GateId;
  }
  if (value.startsWith('pipeline:') && value.length > 'pipeline:'.length) return value as GateId;
  return undefined;
}

/** Evaluates a gate on the release as it stands. */
export function evaluateGate(state: ReleaseState, gate: GateId, playbook: Playbook): GateEvaluation {
  if (state.status === 'aborted') return { holds: false, missing: ['the release was aborted'] };
  const missing = missingFor(state, gate, playbook);
  return { holds: missing.length === 0, missing };
}

function missingFor(state: ReleaseState, gate: GateId, playbook: Playbook): string[] {
  if (gate === 'schedule-confirmed') return scheduleMissing(state);
  if (gate === 'publish') return publishMissing(state, playbook);
  if (gate === 'disclose') return discloseMissing(state, playbook);
  if (gate.startsWith('phase:')) return phaseMissing(state, gate.slice('phase:'.length), playbook);
  if (gate.startsWith('merged:')) return mergedMissing(state, gate.slice('merged:'.length));
  if (gate.startsWith('recover:')) return recoverMissing(state, gate.slice('recover:'.length));
  // A phase start is a moment, not a rule: the machine waits for its timeout, never for it to hold.
  if (gate.startsWith('start:')) return [`${gate.slice('start:'.length)} has not started yet`];
  return pipelineMissing(state, gate.slice('pipeline:'.length));
}

function scheduleMissing(state: ReleaseState): string[] {
  const missing: string[] = [];
  if (state.dayOne === undefined) missing.push('Day one is not set (/secrel start YYYY-MM-DD)');
  if (state.versions.length === 0) missing.push('affected versions are not set (/secrel versions 17.5,17.4)');
  return missing;
}

function describeOpen(instance: TaskInstance, state: TaskState | undefined): string {
  return `${instance.key} is ${state?.status ?? 'open'} (${instance.task.owners.join(', ')})`;
}

/** Instances of a phase's tasks that are neither done nor waived. */
function unsettled(
  state: ReleaseState,
  playbook: Playbook,
  phases: readonly PhaseId[],
  withStage: boolean,
): string[] {
  const needsVersions = playbook.tasks.some((t) => phases.includes(t.phase) && t.scope !== 'release');
  const missing: string[] = [];
  if (needsVersions && state.versions.length === 0) missing.push('affected versions are not set');
  for (const instance of expandTasks(playbook, state.versions)) {
    if (!phases.includes(instance.task.phase)) continue;
    if (!withStage && instance.task.stage !== undefined) continue;
    const task = state.tasks[instance.key];
    if (task?.status !== 'done' && task?.status !== 'waived') missing.push(describeOpen(instance, task));
  }
  return missing;
}

function phaseMissing(state: ReleaseState, phase: PhaseId, playbook: Playbook): string[] {
  if (!playbook.phases.some((p) => p.id === phase)) return [`the playbook has no phase ${phase}`];
  // Day four's second half holds publication and disclosure, which have their own gates.
  return unsettled(state, playbook, [phase], phase !== 'day-four-end');
}

/** The phase publication happens in: the first phase with a publish-stage task. */
function publishPhase(playbook: Playbook): PhaseId {
  return playbook.tasks.find((t) => t.stage === 'publish')?.phase ?? 'day-four-end';
}

function publishMissing(state: ReleaseState, playbook: Playbook): string[] {
  const order = playbook.phases.map((p) => p.id);
  const earlier = order.slice(0, Math.max(0, order.indexOf(publishPhase(playbook))));
  const missing = unsettled(state, playbook, earlier, true);
  if (state.versions.length === 0 && !missing.includes('affected versions are not set')) {
    missing.push('affected versions are not set');
  }
  for (const version of state.versions) {
    const merged = mergedFor(state, version);
    if (!merged.holds) missing.push(merged.reason);
  }
  const needDone = playbook.tasks.filter(
    (t) =>
      (t.completion.kind === 'automated' &&
        (PUBLISH_NEEDS_DONE.actions as readonly string[]).includes(t.completion.action)) ||
      (PUBLISH_NEEDS_DONE.taskIds as readonly string[]).includes(t.id),
  );
  for (const instance of expandTasks({ phases: playbook.phases, tasks: needDone }, state.versions)) {
    if (state.tasks[instance.key]?.status === 'waived') {
      missing.push(`${instance.key} was waived; publication needs it done`);
    }
  }
  return missing;
}

function discloseMissing(state: ReleaseState, playbook: Playbook): string[] {
  return expandTasks(playbook, state.versions)
    .filter((i) => i.task.stage === 'publish' && state.tasks[i.key]?.status !== 'done')
    .map((i) => `${i.key} is not published yet`);
}

/** A step that failed for good is over once its task is done by hand or waived (`/secrel retry` runs it again). */
function recoverMissing(state: ReleaseState, key: string): string[] {
  const status = state.tasks[key]?.status;
  return status === 'done' || status === 'waived' ? [] : [`${key} failed: /secrel retry, done or waive it`];
}

/** A version's dependent work (its packages) waits for that version's fix to be merged, nothing more. */
function mergedMissing(state: ReleaseState, version: string): string[] {
  const merged = mergedFor(state, version);
  return merged.holds ? [] : [merged.reason];
}

function pipelineMissing(state: ReleaseState, key: string): string[] {
  const task = state.tasks[key];
  if (task === undefined) return [`no task ${key} in this release`];
  if (task.status === 'done') return [];
  const last = task.lastPipeline;
  return [last ? `pipeline for ${key} is ${last.status}` : `no pipeline for ${key} seen yet`];
}

/**
 * Opens every waiting gate that holds and has a stored token: it becomes `open` and yields one
 * `open-gate` effect, so a gate is opened exactly once.
 */
export function openHoldingGates(
  state: ReleaseState,
  playbook: Playbook,
  now: DateTime,
): { gates: Record<string, GateState>; timeline: TimelineEntry[]; effects: Effect[] } {
  const at = isoOf(now);
  const gates: Record<string, GateState> = { ...state.gates };
  const timeline: TimelineEntry[] = [];
  const effects: Effect[] = [];
  for (const [id, gate] of Object.entries(state.gates)) {
    const gateId = parseGateId(id);
    if (gate.status !== 'waiting' || gate.token === undefined || gateId === undefined) continue;
    if (!evaluateGate(state, gateId, playbook).holds) continue;
    gates[id] = { ...gate, status: 'open', openedAt: at };
    effects.push({ type: 'open-gate', gate: id, token: gate.token });
    timeline.push({ at, kind: 'gate-open', summary: `gate ${id} opened` });
  }
  return { gates, timeline, effects };
}
