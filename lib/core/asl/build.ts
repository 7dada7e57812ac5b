import { PIPELINE_ACTIONS } from '../pipeline-actions.js';
import type { ActionKind, Phase, Playbook, Task } from '../types/playbook.js';
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
  gateState,
  MAX_STATE_NAME,
  quietGate,
  step,
} from './states.js';

/**
 * Builds the security-release state machine from the playbook (DESIGN.md §6). The clock drives the
 * phases: after First steps' actions and the confirmed schedule, every later phase runs in its own
 * branch that waits for the phase's start, tells its owners (and what earlier phases left open),
 * does the phase's automated work and watches its tasks (reminder, escalation at the cutoff and
 * again every few hours). Work waits on other work only where the playbook says so: a task that
 * `needs: 'fix-merged'` waits per version on that version's `merged:` gate, publication on the
 * publish gate, disclosure on publication. State names start with the phase's heading, so the
 * console reads like the process. `npm run asl` writes the result to
 * `statemachines/security-release.asl.json`.
 */

/** The definition's comment, as the console shows it. */
const COMMENT =
  'secrel: the Critical Security Release Process as a schedule, built from the playbook by `npm run asl`. State names follow the process headings. Only ids and timestamps travel; DynamoDB holds the release. JSONPath only.';

/** Words a state name spells as people do. */
const SPELLING: Readonly<Record<string, string>> = {
  mr: 'MR',
  cve: 'CVE',
  githost: 'GitHost',
  docker: 'Docker',
};

/** How a state name reads an action or task id: `create-draft-mr` → `create draft MR`. */
function label(id: string): string {
  return id
    .split('-')
    .map((word) => SPELLING[word] ?? word)
    .join(' ');
}

const automated = (task: Task): ActionKind | undefined =>
  task.completion.kind === 'automated' ? task.completion.action : undefined;

/** Collects states under unique names, refusing names Step Functions would not take. */
class StateSet {
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
interface Lane {
  readonly start: string;
  readonly states: AslStates;
}

function laneMachine(lane: Lane): AslMachine {
  return { StartAt: lane.start, States: lane.states };
}

/**
 * One automated action (once, or per version inside a Map), followed by its pipeline's gate when it
 * runs one. A recoverable action that fails for good tells its owners and waits on its `recover:`
 * gate: `/secrel retry` runs it again, `/secrel done` or `waive` lets the release go on.
 */
function actionStates(title: string, task: Task, perVersion: boolean, exit: Exit): Lane {
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
function sequence(title: string, tasks: readonly Task[], perVersion: boolean, exit: Exit): Lane {
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
function perVersion(title: string, name: string, tasks: readonly Task[], exit: Exit): Lane {
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
function sideBySide(name: string, lanes: readonly Lane[], exit: Exit, extra: AslState = {}): Lane {
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

/** The watch over a phase's own tasks, entered with the phase gate's timing in `$.timing`. */
function phaseWatch(phase: Phase): Lane {
  const t = phase.title;
  const names = {
    beforeReminder: `${t}: tasks done before reminder?`,
    remind: `${t}: remind owners`,
    wait: `${t}: tasks done?`,
    escalate: `${t}: escalate`,
    recompute: `${t}: re-time cutoff`,
  };
  return {
    start: names.beforeReminder,
    states: gateLoop({ literal: `phase:${phase.id}` }, names, { end: true }),
  };
}

/** Publication, then disclosure: the staged tasks of the phase that holds them. */
function publication(phase: Phase, tasks: readonly Task[]): Lane {
  const t = phase.title;
  const set = new StateSet();
  const publish = tasks.filter((task) => task.stage === 'publish' && automated(task));
  const disclose = tasks.filter((task) => task.stage === 'disclose');
  const discloseActions = disclose.filter((task) => automated(task));
  const askLater = disclose.filter((task) => task.completion.kind === 'manual');

  const ask = askLater.map((task) => `${t}: ask owners to ${label(task.id)}`);
  ask.forEach((name, i) => {
    const task = askLater[i] as Task;
    const next = ask[i + 1];
    set.put(name, step('ask-owners', { task: task.id }, 'discard', next ? { next } : { end: true }));
  });
  const afterDisclosure: Exit = ask[0] ? { next: ask[0] } : { end: true };
  const discloseLane = sequence(t, discloseActions, false, afterDisclosure);
  set.add(discloseLane.states);
  const disclosureStart = discloseLane.start || ask[0];

  const readyToDisclose = `${t}: ready to disclose?`;
  const computeDisclosure = `${t}: compute disclosure cutoff`;
  set.add(
    gateLoop(
      { literal: 'disclose' },
      { wait: readyToDisclose, escalate: `${t}: escalate unready disclosure`, recompute: computeDisclosure },
      disclosureStart ? { next: disclosureStart } : { end: true },
    ),
  );

  const failed = `${t}: publication failed`;
  const tellFailed = `${t}: tell release managers publication failed`;
  set.put(
    tellFailed,
    step(
      'publish-failed',
      { 'error.$': '$.failure.Error' },
      'discard',
      { next: failed },
      {
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: null, Next: failed }],
      },
    ),
  );
  set.put(failed, {
    Type: 'Fail',
    Error: 'Publish.Failed',
    Cause: 'A publish action failed; nothing was disclosed. Fix it, then re-drive the release.',
  });

  const publishLanes: Lane[] = [];
  const eachVersion = publish.filter((task) => task.scope !== 'release');
  if (eachVersion.length > 0)
    publishLanes.push(perVersion(t, `${t}: publish each version`, eachVersion, { end: true }));
  for (const task of publish.filter((x) => x.scope === 'release')) {
    publishLanes.push(actionStates(t, task, false, { end: true }));
  }
  const publishName = `${t}: publish`;
  const toFailure = { ResultPath: '$.failure', Next: tellFailed };
  const published = sideBySide(
    publishName,
    publishLanes,
    { next: computeDisclosure },
    {
      Catch: [
        { ErrorEquals: ['Action.Failed', 'Pipeline.Failed'], ...toFailure },
        { ErrorEquals: ['States.ALL'], ...toFailure },
      ],
    },
  );
  set.add(published.states);

  const readyToPublish = `${t}: ready to publish?`;
  const computePublish = `${t}: compute publish cutoff`;
  set.add(
    gateLoop(
      { literal: 'publish' },
      { wait: readyToPublish, escalate: `${t}: escalate unready publication`, recompute: computePublish },
      { next: published.start },
    ),
  );
  return { start: computePublish, states: set.states };
}

/** The work of a phase once it started: its actions, per-version work, publication, and the watch over its tasks. */
function phaseWork(phase: Phase, playbook: Playbook): Lane[] {
  const tasks = playbook.tasks.filter((task) => task.phase === phase.id);
  const unstaged = tasks.filter((task) => task.stage === undefined);
  const lanes: Lane[] = [];
  if (unstaged.length > 0) lanes.push(phaseWatch(phase));
  const actions = unstaged.filter((task) => automated(task));
  for (const task of actions.filter((x) => x.scope === 'release')) {
    lanes.push(actionStates(phase.title, task, false, { end: true }));
  }
  const eachVersion = actions.filter((x) => x.scope !== 'release');
  if (eachVersion.length > 0) {
    const first = automated(eachVersion[0] as Task) as ActionKind;
    lanes.push(
      perVersion(phase.title, `${phase.title}: ${label(first)} for each version`, eachVersion, { end: true }),
    );
  }
  if (tasks.some((task) => task.stage !== undefined)) lanes.push(publication(phase, tasks));
  return lanes;
}

/**
 * A phase with a start: wait for it on the clock, tell the owners, do the work. The wait is a gate
 * that never holds and times out at the phase's start; a slip fails it with `Schedule.Moved`, and
 * the start is read again, so a phase moved earlier starts earlier and one moved later waits on.
 */
function phaseBranch(phase: Phase, playbook: Playbook): AslMachine {
  const t = phase.title;
  const set = new StateSet();
  const compute = `${t}: compute start`;
  const wait = `${t}: wait for start`;
  const tell = `${t}: tell owners`;
  const work = sideBySide(`${t}: work`, phaseWork(phase, playbook), { end: true });
  const gate = `start:${phase.id}`;
  // Work per version reads the affected versions as they are when the phase starts.
  const perVersionWork = playbook.tasks.some(
    (task) => task.phase === phase.id && task.scope !== 'release' && automated(task),
  );
  const started = perVersionWork ? `${t}: read schedule` : tell;
  if (perVersionWork) set.put(started, step('schedule', {}, 'schedule', { next: tell }));
  set.put(compute, step('deadlines', { gate }, 'deadlines', { next: wait }));
  set.put(
    wait,
    gateState(
      { literal: gate },
      '$.timing.secondsToCutoff',
      [
        { ErrorEquals: [WORKFLOW_ERRORS.timeout], ResultPath: null, Next: started },
        { ErrorEquals: [WORKFLOW_ERRORS.scheduleMoved], ResultPath: null, Next: compute },
      ],
      { next: started },
    ),
  );
  set.put(
    tell,
    step('tell-owners', { phase: phase.id }, 'deadlines', work.start ? { next: work.start } : { end: true }),
  );
  set.add(work.states);
  return { StartAt: compute, States: set.states };
}

/** The whole machine for a playbook. Throws when the playbook cannot make a valid machine. */
export function buildDefinition(playbook: Playbook): { [key: string]: unknown } {
  const [first] = playbook.phases;
  if (!first) throw new Error('the playbook has no phases');
  const last = playbook.phases.at(-1) as Phase;
  const t = first.title;
  const set = new StateSet();
  // A first phase without a start (the seed's First steps) opens with the release: its actions run
  // one after the other (the release issue first, where owners are told), then its tasks are watched.
  const opens = first.start === null;
  const later = opens ? playbook.phases.slice(1) : playbook.phases;

  const running = `${t}: run every phase on its clock`;
  const close = `${last.title}: close the release`;
  const complete = `${last.title}: release complete`;
  const branches: AslMachine[] = later.map((phase) => phaseBranch(phase, playbook));
  if (opens) {
    const firstWatch = phaseWatch(first);
    const computeFirst = `${t}: compute cutoff`;
    branches.unshift({
      StartAt: computeFirst,
      States: {
        [computeFirst]: step('deadlines', { gate: `phase:${first.id}` }, 'deadlines', {
          next: firstWatch.start,
        }),
        ...firstWatch.states,
      },
    });
  }
  set.put(running, {
    Type: 'Parallel',
    Branches: branches as unknown as AslState[],
    ResultPath: null,
    Next: close,
  });
  set.put(close, step('complete', {}, 'discard', { next: complete }));
  set.put(complete, { Type: 'Succeed' });

  // Without an opening phase, the first phase's own branch has a "read schedule" state already.
  const read = opens ? `${t}: read schedule` : `${t}: read confirmed schedule`;
  set.put(read, step('schedule', {}, 'schedule', { next: running }));
  const confirmed = `${t}: schedule confirmed?`;
  const computeConfirmation = `${t}: compute confirmation cutoff`;
  set.add(
    gateLoop(
      { literal: 'schedule-confirmed' },
      { wait: confirmed, escalate: `${t}: escalate unconfirmed schedule`, recompute: computeConfirmation },
      { next: read },
    ),
  );
  let start = computeConfirmation;
  if (opens) {
    const tell = `${t}: tell owners`;
    set.put(tell, step('tell-owners', { phase: first.id }, 'discard', { next: computeConfirmation }));
    const firstActions = playbook.tasks.filter((task) => task.phase === first.id && automated(task));
    const opening = sequence(t, firstActions, false, { next: tell });
    set.add(opening.states);
    start = opening.start || tell;
  }
  return {
    Comment: COMMENT,
    QueryLanguage: 'JSONPath',
    StartAt: start,
    States: inFlowOrder(start, set.states),
  };
}

/** The states in the order the flow reaches them (then any left), nested machines too: the file reads top-down. */
function inFlowOrder(start: string, states: AslStates): AslStates {
  const names: string[] = [];
  const queue = [start];
  for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
    const state = states[name];
    if (!state || names.includes(name)) continue;
    names.push(name);
    const catches = Array.isArray(state.Catch) ? state.Catch : [];
    const choices = Array.isArray(state.Choices) ? state.Choices : [];
    for (const target of [
      state.Next,
      ...choices.map((c) => nextOf(c)),
      state.Default,
      ...catches.map((c) => nextOf(c)),
    ]) {
      if (typeof target === 'string') queue.push(target);
    }
  }
  for (const name of Object.keys(states)) if (!names.includes(name)) names.push(name);
  const ordered: AslStates = {};
  for (const name of names) ordered[name] = nested(states[name] as AslState);
  return ordered;
}

function nextOf(value: unknown): unknown {
  return typeof value === 'object' && value !== null && 'Next' in value ? value.Next : undefined;
}

function nested(state: AslState): AslState {
  const machine = (m: unknown): AslState => {
    const { StartAt, States, ...rest } = m as { StartAt: string; States: AslStates };
    return { ...rest, StartAt, States: inFlowOrder(StartAt, States) } as unknown as AslState;
  };
  if (Array.isArray(state.Branches)) return { ...state, Branches: state.Branches.map(machine) };
  if (state.ItemProcessor) return { ...state, ItemProcessor: machine(state.ItemProcessor) };
  return state;
}
