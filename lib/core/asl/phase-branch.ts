import type { ActionKind, Phase, Playbook, Task } from '../types/playbook.js';
import { WORKFLOW_ERRORS } from '../types/workflow.js';
import {
  actionStates,
  automated,
  type Lane,
  label,
  perVersion,
  StateSet,
  sideBySide,
} from './action-lanes.js';
import { publication } from './publication-states.js';
import { type AslMachine, gateLoop, gateState, step } from './states.js';

/** Each phase of the machine as its own branch: wait for its start, tell its owners, do its work. */

/** The watch over a phase's own tasks, entered with the phase gate's timing in `$.timing`. */
export function phaseWatch(phase: Phase): Lane {
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
export function phaseBranch(phase: Phase, playbook: Playbook): AslMachine {
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
