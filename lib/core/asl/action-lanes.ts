import { PIPELINE_ACTIONS } from '../pipeline-actions.js';
import type { ActionKind, Task } from '../types/playbook.js';
import { WORKFLOW_ERRORS } from '../types/workflow.js';
import {
  type AslMachine,
  type AslState,
  type AslStates,
  actionStep,
  type Exit,
  type Field,
  field,
  gateLoop,
  MAX_STATE_NAME,
  quietGate,
  step,
} from './states.js';

/**
 * Lanes of automated work: one action with its pipeline gate and its recovery, actions in
 * sequence, per-version work in a Map, and lanes side by side in a Parallel.
 */

/** Words a state name spells as people do. */
const SPELLING: Readonly<Record<string, string>> = {
  mr: 'MR',
  cve: 'CVE',
  githost: 'GitHost',
  docker: 'Docker',
};

/** How a state name reads an action or task id: `create-draft-mr` → `create draft MR`. */
export function label(id: string): string {
  return id
    .split('-')
    .map((word) => SPELLING[word] ?? word)
    .join(' ');
}

/** The action an automated task runs; undefined for any other task. */
export const automated = (task: Task): ActionKind | undefined =>
  task.completion.kind === 'automated' ? task.completion.action : undefined;

/** Collects states under unique names, refusing names Step Functions would not take. */
export class StateSet {
  readonly states: AslStates = {};

  add(states: AslStates): void {
    for (const [name, state] of Object.entries(states)) this.put(name, state);
  }

  put(name: string, state: AslState): void {
    if (name.length > MAX_STATE_NAME) throw new Error(`state name longer than ${MAX_STATE_NAME}: ${name}`);
    if (this.states[name] !== undefined) throw new Error(`state name used twice: ${name}`);
    this.states[name] = state;
  }
}

/** A branch of work: its first state's name and its states. */
export interface Lane {
  readonly start: string;
  readonly states: AslStates;
}

/** A lane as a nested machine (a Parallel branch). */
function laneMachine(lane: Lane): AslMachine {
  return { StartAt: lane.start, States: lane.states };
}

/**
 * One automated action (once, or per version inside a Map), followed by its pipeline's gate when it
 * runs one. A recoverable action that fails for good tells its owners and waits on its `recover:`
 * gate: `/secrel retry` runs it again, `/secrel done` or `waive` lets the release go on.
 */
export function actionStates(title: string, task: Task, perVersion: boolean, exit: Exit): Lane {
  // Only a failed publication stops the release (before any disclosure); every other step recovers.
  const recoverable = task.stage !== 'publish';
  const action = automated(task);
  if (!action) throw new Error(`task ${task.id} is not automated`);
  const name = `${title}: ${label(action)}`;
  const set = new StateSet();
  const recovery = recoverable ? recoveryStates(title, task, action, name, perVersion, exit) : undefined;
  if (recovery) set.add(recovery.states);
  const catches: AslState = recovery
    ? { Catch: [{ ErrorEquals: [WORKFLOW_ERRORS.failed], ResultPath: '$.failure', Next: recovery.start }] }
    : {};
  if (!PIPELINE_ACTIONS.includes(action)) {
    set.put(name, { ...actionStep(action, perVersion, 'discard', exit), ...catches });
    return { start: name, states: set.states };
  }
  const gate: Field = perVersion
    ? { perVersion: `pipeline:${action}@{}` }
    : { literal: `pipeline:${action}` };
  const wait = `${title}: ${label(action)} finished?`;
  set.put(name, { ...actionStep(action, perVersion, 'action-timing', { next: wait }), ...catches });
  set.add(
    gateLoop(
      gate,
      {
        wait,
        escalate: `${title}: escalate ${label(action)}`,
        recompute: `${title}: re-time ${label(action)}`,
      },
      exit,
    ),
  );
  return { start: name, states: set.states };
}

/** After a step failed for good: one comment to its owners, then its `recover:` gate. */
function recoveryStates(
  title: string,
  task: Task,
  action: ActionKind,
  actionState: string,
  perVersion: boolean,
  exit: Exit,
): Lane {
  const key: Field = perVersion ? { perVersion: `${task.id}@{}` } : { literal: task.id };
  const gate: Field = perVersion
    ? { perVersion: `recover:${task.id}@{}` }
    : { literal: `recover:${task.id}` };
  const failed = `${title}: ${label(action)} failed`;
  const wait = `${title}: ${label(action)} recovered?`;
  const states: AslStates = {
    [failed]: step('step-failed', { ...field('task', key), 'error.$': '$.failure.Error' }, 'timing', {
      next: wait,
    }),
    ...gateLoop(
      gate,
      {
        wait,
        escalate: `${title}: escalate failed ${label(action)}`,
        recompute: `${title}: re-time failed ${label(action)}`,
      },
      exit,
      [{ error: WORKFLOW_ERRORS.retry, next: actionState }],
    ),
  };
  return { start: failed, states };
}

/** A sequence of actions, each leading to the next; the last one exits. */
export function sequence(title: string, tasks: readonly Task[], perVersion: boolean, exit: Exit): Lane {
  const set = new StateSet();
  let next: Exit = exit;
  let start = '';
  for (const task of [...tasks].reverse()) {
    const lane = actionStates(title, task, perVersion, next);
    set.add(lane.states);
    start = lane.start;
    next = { next: lane.start };
  }
  return { start, states: set.states };
}

/** The per-version work of a phase: a Map over the affected versions, each waiting on its own dependency. */
export function perVersion(title: string, name: string, tasks: readonly Task[], exit: Exit): Lane {
  const inner = new StateSet();
  let body = sequence(title, tasks, true, { end: true });
  inner.add(body.states);
  if (tasks.some((t) => t.needs === 'fix-merged')) {
    const first = tasks[0] && automated(tasks[0]);
    const merged = `${title}: fix merged before ${first ? label(first) : 'work'}?`;
    inner.put(merged, quietGate({ perVersion: 'merged:{}' }, { next: body.start }));
    body = { start: merged, states: inner.states };
  }
  const map: AslState = {
    Type: 'Map',
    ItemsPath: '$.schedule.versions',
    ItemSelector: { 'releaseId.$': '$.releaseId', 'version.$': '$$.Map.Item.Value' },
    ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, StartAt: body.start, States: inner.states },
    ResultPath: null,
    ...('next' in exit ? { Next: exit.next } : { End: true }),
  };
  return { start: name, states: { [name]: map } };
}

/** Runs lanes side by side (or the one lane alone). */
export function sideBySide(name: string, lanes: readonly Lane[], exit: Exit, extra: AslState = {}): Lane {
  if (lanes.length === 1 && Object.keys(extra).length === 0) {
    const only = lanes[0] as Lane;
    return only;
  }
  const parallel: AslState = {
    Type: 'Parallel',
    Branches: lanes.map((lane) => laneMachine(lane)) as unknown as AslState[],
    ResultPath: null,
    ...extra,
    ...('next' in exit ? { Next: exit.next } : { End: true }),
  };
  return { start: name, states: { [name]: parallel } };
}
