import type { Phase, Playbook } from '../types/playbook.js';
import { automated, StateSet, sequence } from './action-lanes.js';
import { inFlowOrder } from './flow-order.js';
import { phaseBranch, phaseWatch } from './phase-branch.js';
import { type AslMachine, type AslState, gateLoop, step } from './states.js';

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
