import { DateTime } from 'luxon';
import type { Command } from '../commands.js';
import { expediteSlip } from '../embargo-break.js';
import { CommandError } from '../errors.js';
import { preflight, preflightText } from '../manual-steps.js';
import { earliestSlip, moveWaitingGates } from '../retime.js';
import { parseDayOne } from '../schedule.js';
import { reexpandTasks } from '../tasks.js';
import type { Effect, ReleaseState } from '../types/release.js';
import { warningLines } from '../warnings.js';
import { type CommandOutcome, type CommandRun, replyTarget } from './command-reply.js';

/**
 * The commands that set or move the schedule: affected versions, Day one, slip and expedite.
 * Whatever the running machine already waits on is re-timed with them (issue #10).
 */

/** Statuses in which the schedule and versions can no longer change. */
const PUBLISHING_OR_LATER: readonly ReleaseState['status'][] = [
  'publishing',
  'disclosing',
  'afterwards',
  'completed',
];

/**
 * What the start reply promises about the GitLab setup check. A security lead who starts a
 * release wants the schedule to run and to hear what will go wrong: the check warns, it never
 * holds the schedule back (a wrong username is fixed in config while the release runs).
 */
export const SETUP_CHECK_NOTE =
  "secrel now checks the GitLab setup (as `secrel connect --check` does) for this release's project; any problem follows as one comment. The schedule runs either way: fix what it names before the step that needs it.";

/** The effect that runs the GitLab setup checks for the release's project and reports on its issue. */
function setupCheck(state: ReleaseState): Effect {
  return { type: 'check-setup', issue: replyTarget(state), projectIds: [state.projectId] };
}

/** `/secrel versions`: the affected versions, fixed once publication starts. */
export function setVersions(
  run: CommandRun,
  command: Extract<Command, { name: 'versions' }>,
): CommandOutcome {
  const { state, ctx, entry } = run;
  if (PUBLISHING_OR_LATER.includes(state.status)) {
    throw new CommandError('affected versions are fixed once publication starts');
  }
  const list = command.versions.join(', ');
  if (command.versions.join() === state.versions.join()) {
    return { state, reply: `affected versions were already ${list}.`, timeline: [] };
  }
  const next = confirmSchedule({
    ...state,
    versions: command.versions,
    tasks: reexpandTasks(ctx.playbook, state.tasks, command.versions),
  });
  return {
    state: next,
    reply: `affected versions are now ${list}.`,
    timeline: [entry('versions', `affected versions set to ${list}`)],
  };
}

/** `/secrel start`: Day one, while the release has not begun to run; the GitLab setup is checked. */
export function setDayOne(run: CommandRun, command: Extract<Command, { name: 'start' }>): CommandOutcome {
  const { state, ctx, entry } = run;
  if (state.status !== 'planning' && state.status !== 'scheduled') {
    throw new CommandError('Day one is fixed once the release runs; use /secrel slip <hours>');
  }
  if (state.dayOne === command.dayOne)
    return { state, reply: `Day one was already ${command.dayOne}.`, timeline: [] };
  const past = DateTime.fromISO(command.dayOne, { zone: 'utc' }).endOf('day') < ctx.now;
  const checked = preflightText(preflight(ctx.config, ctx.playbook, state.id, state.projectId));
  // A new Day one re-times whatever the machine already waits on (issue #10).
  const moved = state.dayOne === undefined ? undefined : moveWaitingGates(state);
  return {
    state: confirmSchedule({
      ...state,
      dayOne: command.dayOne,
      ...(moved ? { gates: moved.gates } : {}),
    }),
    effects: [...(moved?.effects ?? []), setupCheck(state)],
    reply: `Day one is ${command.dayOne} (UTC).${past ? ' That day is already over: every cutoff up to today is missed.' : ''}${warningLines({ ...state, dayOne: command.dayOne }, ctx.playbook)}${checked}\n\n${SETUP_CHECK_NOTE}`,
    timeline: [entry('day-one', `Day one set to ${command.dayOne}`)],
  };
}

/**
 * `/secrel slip <hours>`: later, or earlier with a negative number as long as no cutoff still ahead
 * lands in the past. Every gate the machine waits on is re-timed (`Schedule.Moved`).
 */
export function slip(run: CommandRun, hours: number): CommandOutcome {
  const { state, ctx, entry } = run;
  if (state.dayOne === undefined) throw new CommandError('set Day one first: /secrel start YYYY-MM-DD');
  if (PUBLISHING_OR_LATER.includes(state.status))
    throw new CommandError('publication has started; nothing can slip');
  if (hours < 0) {
    const earliest = earliestSlip(ctx.playbook, parseDayOne(state.dayOne), state.slipHours, ctx.now);
    if (hours < earliest) {
      throw new CommandError(
        earliest === 0
          ? 'the next cutoff is less than an hour away; nothing can move earlier'
          : `at most ${-earliest} h earlier: the next cutoff must not land in the past`,
      );
    }
  }
  const slipHours = state.slipHours + hours;
  const moved = moveWaitingGates(state);
  const direction = hours > 0 ? `${hours} h later` : `${-hours} h earlier`;
  return {
    state: { ...state, slipHours, gates: moved.gates },
    reply: `every cutoff still ahead moves ${direction} (total slip ${slipHours} h).${warningLines({ ...state, slipHours }, ctx.playbook)}`,
    timeline: [entry('slip', `slipped ${hours} h (total ${slipHours} h)`)],
    ...(moved.effects.length > 0 ? { effects: moved.effects } : {}),
  };
}

/** `/secrel expedite <hours>`: after an embargo break, the remaining cutoffs come in to now + hours. */
export function expedite(run: CommandRun, command: Extract<Command, { name: 'expedite' }>): CommandOutcome {
  const { state, ctx, entry } = run;
  if (PUBLISHING_OR_LATER.includes(state.status))
    throw new CommandError('publication has started; nothing can move');
  const slipHours = expediteSlip(state, command.hours, ctx);
  if (slipHours === undefined) throw new CommandError('no cutoff ahead to expedite (is Day one set?)');
  // Like a slip, an expedite re-times whatever the running machine waits on.
  const moved = moveWaitingGates(state);
  return {
    state: { ...state, slipHours, gates: moved.gates },
    ...(moved.effects.length > 0 ? { effects: moved.effects } : {}),
    reply: `every remaining cutoff moves ${state.slipHours - slipHours} h earlier: the next is due by now + ${command.hours} h. Gates are unchanged.`,
    timeline: [
      entry('expedite', `expedited: next cutoff by now + ${command.hours} h (total slip ${slipHours} h)`),
    ],
  };
}

/** A planning release whose Day one and versions are both set is scheduled. */
function confirmSchedule(state: ReleaseState): ReleaseState {
  const confirmed = state.dayOne !== undefined && state.versions.length > 0;
  return confirmed && state.status === 'planning' ? { ...state, status: 'scheduled' } : state;
}
