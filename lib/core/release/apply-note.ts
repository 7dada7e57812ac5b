import { DateTime } from 'luxon';
import { type Command, type CommandName, parseCommands } from '../commands.js';
import { expediteSlip } from '../embargo-break.js';
import { CommandError } from '../errors.js';
import { preflight, preflightText } from '../manual-steps.js';
import { isoOf } from '../moments.js';
import { allowedCommands, authorize } from '../permissions.js';
import { type NoteRefusal, noteRefusal, proseLines } from '../quick-actions.js';
import { earliestSlip, moveWaitingGates } from '../retime.js';
import { parseDayOne } from '../schedule.js';
import { statusReport } from '../status-report.js';
import { instancesOfTask, reexpandTasks } from '../tasks.js';
import type { ReleaseContext } from '../transitions.js';
import type { NoteEvent } from '../types/events.js';
import type { Effect, IssueRef, MergeRequestState, ReleaseState, TimelineEntry } from '../types/release.js';
import { WORKFLOW_ERRORS } from '../types/workflow.js';
import { warningLines } from '../warnings.js';

/**
 * Carries out `/secrel` commands from a comment on the release (or vulnerability) issue: each is
 * checked against permissions, answered with a reply on the release issue, and recorded on the
 * timeline without its free text (reasons may be confidential).
 */

/** How many handled note ids a release remembers, so a redelivered comment is answered once. */
export const HANDLED_NOTES_KEPT = 200;

/** Prefix of every reply, so secrel's own comments are never read back as commands. */
export const REPLY_PREFIX = 'secrel:';

/** Statuses in which the schedule and versions can no longer change. */
const PUBLISHING_OR_LATER: readonly ReleaseState['status'][] = [
  'publishing',
  'disclosing',
  'afterwards',
  'completed',
];

interface Outcome {
  readonly state: ReleaseState;
  readonly reply: string;
  readonly timeline: readonly TimelineEntry[];
  readonly effects?: readonly Effect[];
}

/** The issue replies go to: the release issue once it exists, else the vulnerability issue. */
export function replyTarget(state: ReleaseState): IssueRef {
  return state.releaseIssue ?? state.vulnerabilityIssue;
}

function isReleaseIssueNote(state: ReleaseState, event: NoteEvent): boolean {
  if (event.noteableType !== 'Issue' || event.noteableIid === undefined) return false;
  return [state.releaseIssue, state.vulnerabilityIssue].some(
    (issue) => issue !== undefined && issue.projectId === event.projectId && issue.iid === event.noteableIid,
  );
}

/**
 * The change a comment makes: undefined when it is not on the release's issues, holds no
 * `/secrel` line, or was handled before.
 */
export function applyNote(
  state: ReleaseState,
  event: NoteEvent,
  ctx: ReleaseContext,
): { state: ReleaseState; timeline: TimelineEntry[]; effects: Effect[] } | undefined {
  if (!isReleaseIssueNote(state, event) || (state.handledNotes ?? []).includes(event.noteId))
    return undefined;
  const lines = parseCommands(proseLines(event.body).join('\n'), ctx.playbook);
  if (lines.length === 0) return undefined;
  const at = isoOf(ctx.now);
  const actor = event.actor;
  const refusal = noteRefusal(state, event, ctx.playbook);
  if (refusal === 'system') return undefined;
  if (refusal !== undefined) return ignoredNote(state, event, refusal, at);
  let next = state;
  const timeline: TimelineEntry[] = [];
  const effects: Effect[] = [];
  for (const line of lines) {
    let reply: string;
    const lineStart = effects.length;
    if (!line.ok) {
      reply = line.error.message;
      timeline.push({
        at,
        kind: 'command-invalid',
        summary: `a /secrel command from @${actor} was not understood`,
        actor,
      });
    } else {
      const decision = authorize(line.command, actor, ctx.config, ctx.playbook);
      if (!decision.allowed) {
        reply = `refused: ${decision.reason}`;
        timeline.push({
          at,
          kind: 'command-refused',
          summary: `/secrel ${line.command.name} refused for @${actor}`,
          actor,
        });
      } else {
        try {
          const outcome = run(next, line.command, actor, ctx);
          next = outcome.state;
          reply = outcome.reply;
          timeline.push(...outcome.timeline);
          effects.push(...(outcome.effects ?? []));
        } catch (error) {
          if (!(error instanceof CommandError)) throw error;
          reply = error.message;
          timeline.push({
            at,
            kind: 'command-failed',
            summary: `/secrel ${line.command.name} from @${actor} changed nothing`,
            actor,
          });
        }
      }
    }
    effects.push({ type: 'reply', issue: replyTarget(next), body: `${REPLY_PREFIX} ${reply}` });
    replyBeforeChecks(effects, lineStart);
  }
  const handledNotes = [...(next.handledNotes ?? []), event.noteId].slice(-HANDLED_NOTES_KEPT);
  return { state: { ...next, handledNotes }, timeline, effects };
}

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

/** A setup check's comment follows the reply of the command that asked for it, never precedes it. */
function replyBeforeChecks(effects: Effect[], from: number): void {
  const checks = effects.slice(from).filter((effect) => effect.type === 'check-setup');
  if (checks.length === 0) return;
  const rest = effects.slice(from).filter((effect) => effect.type !== 'check-setup');
  effects.splice(from, effects.length - from, ...rest, ...checks);
}

const IGNORED_BECAUSE: Readonly<Record<Exclude<NoteRefusal, 'system'>, string>> = {
  edited: 'commands run only from new comments, not edits; write a new comment',
  'public-during-embargo':
    'while the release is embargoed, commands run only from confidential or internal comments; nothing changed',
};

/** A note whose commands are not run: one timeline line and one reply, nothing else changes. */
function ignoredNote(
  state: ReleaseState,
  event: NoteEvent,
  refusal: Exclude<NoteRefusal, 'system'>,
  at: string,
): { state: ReleaseState; timeline: TimelineEntry[]; effects: Effect[] } {
  const handledNotes = [...(state.handledNotes ?? []), event.noteId].slice(-HANDLED_NOTES_KEPT);
  return {
    state: { ...state, handledNotes },
    timeline: [
      {
        at,
        kind: 'command-ignored',
        summary: `/secrel in a comment by @${event.actor} not run: ${refusal}`,
        actor: event.actor,
      },
    ],
    effects: [
      { type: 'reply', issue: replyTarget(state), body: `${REPLY_PREFIX} ${IGNORED_BECAUSE[refusal]}.` },
    ],
  };
}

function run(state: ReleaseState, command: Command, actor: string, ctx: ReleaseContext): Outcome {
  const at = isoOf(ctx.now);
  const entry = (kind: string, summary: string): TimelineEntry => ({ at, kind, summary, actor });
  const readOnly = command.name === 'status' || command.name === 'help';
  if (!readOnly && (state.status === 'aborted' || state.status === 'completed')) {
    throw new CommandError(`this release is ${state.status}; nothing changed`);
  }
  switch (command.name) {
    case 'status':
      return { state, reply: `\n\n${statusReport(state, ctx.playbook, ctx.cutoffs)}`, timeline: [] };
    case 'done': {
      const key = resolveKey(state, ctx, command.taskId, command.version);
      const task = ctx.playbook.tasks.find((t) => t.id === command.taskId);
      // An automated step is secrel's unless nothing is configured for it (by hand) or it failed for good.
      if (
        task?.completion.kind === 'automated' &&
        state.tasks[key]?.manual !== true &&
        state.gates[`recover:${key}`]?.status !== 'waiting'
      ) {
        throw new CommandError(`secrel performs ${key} itself; it is done when that action succeeds`);
      }
      if (state.tasks[key]?.status === 'done')
        return { state, reply: `${key} was already done.`, timeline: [] };
      return {
        state: {
          ...state,
          tasks: {
            ...state.tasks,
            [key]: {
              status: 'done',
              by: actor,
              at,
              via: 'command',
              ...(state.tasks[key]?.manual ? { manual: true } : {}),
            },
          },
        },
        reply: `${key} done, recorded for @${actor}.`,
        timeline: [entry('task-done', `${key} done by @${actor}`)],
      };
    }
    case 'waive': {
      const key = resolveKey(state, ctx, command.taskId, command.version);
      const task = ctx.playbook.tasks.find((t) => t.id === command.taskId);
      if (task?.stage === 'publish') {
        throw new CommandError(`${key} cannot be waived: disclosure waits for publication`);
      }
      const current = state.tasks[key]?.status;
      if (current === 'done' || current === 'waived') throw new CommandError(`${key} is already ${current}`);
      return {
        state: {
          ...state,
          tasks: {
            ...state.tasks,
            [key]: { status: 'waived', by: actor, at, reason: command.reason, via: 'command' },
          },
        },
        reply: `${key} waived by @${actor}.`,
        timeline: [entry('task-waived', `${key} waived by @${actor}`)],
      };
    }
    case 'versions': {
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
    case 'start': {
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
    case 'slip':
      return slip(state, command.hours, ctx, entry);
    case 'retry':
      return retry(state, resolveKey(state, ctx, command.taskId, command.version), entry);
    case 'mr': {
      const project =
        command.projectPath === undefined
          ? ctx.config.projects.find((p) => p.id === state.projectId)
          : ctx.config.projects.find((p) => p.path.toLowerCase() === command.projectPath?.toLowerCase());
      if (project === undefined)
        throw new CommandError(`${command.projectPath ?? 'this project'} is not a configured project`);
      const key = `${project.id}!${command.iid}`;
      const linked = state.linkedMergeRequests ?? [];
      const known = state.mergeRequests[key];
      if (known !== undefined) return nameAsFix(state, key, known, actor, at);
      if (linked.includes(key)) {
        return { state, reply: `MR !${command.iid} is already part of this release.`, timeline: [] };
      }
      return {
        state: { ...state, linkedMergeRequests: [...linked, key] },
        reply: `MR !${command.iid} joins this release; secrel follows it from its next update.`,
        timeline: [entry('mr-linked', `MR !${command.iid} in project ${project.id} linked by @${actor}`)],
      };
    }
    case 'h1':
    case 'cve':
    case 'help':
      return runCockpitCommand(state, command, actor, ctx);
    case 'expedite': {
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
    case 'abort':
      return {
        state: { ...state, status: 'aborted', abortedReason: command.reason },
        reply: `release aborted by @${actor}. Nothing further will be published.`,
        timeline: [entry('aborted', `release aborted by @${actor}`)],
        effects: [{ type: 'stop-workflow', releaseId: state.id, reason: `aborted by @${actor}` }],
      };
  }
}

/**
 * `/secrel mr` for an MR secrel already follows: it now counts as its version's fix, and names the
 * replacement when the version's counted MR was closed unmerged.
 */
function nameAsFix(
  state: ReleaseState,
  key: string,
  mr: MergeRequestState,
  actor: string,
  at: string,
): Outcome {
  const waiting = state.replacementNeeded?.[mr.version] !== undefined;
  if (mr.countedVia !== undefined && !waiting) {
    return { state, reply: `MR !${mr.iid} is already part of this release.`, timeline: [] };
  }
  if (mr.state === 'closed') throw new CommandError(`MR !${mr.iid} is closed; it cannot be a fix`);
  const { [mr.version]: _named, ...replacementNeeded } = state.replacementNeeded ?? {};
  return {
    state: {
      ...state,
      mergeRequests: { ...state.mergeRequests, [key]: { ...mr, countedVia: 'command' } },
      replacementNeeded,
    },
    reply: `MR !${mr.iid} now counts as the fix for ${mr.version}.`,
    timeline: [
      {
        at,
        kind: 'mr-named',
        summary: `MR !${mr.iid} in project ${mr.projectId} named as a fix for ${mr.version} by @${actor}`,
        actor,
      },
    ],
  };
}

/** What each command does, for `/secrel help`. */
const COMMAND_HELP: Readonly<Record<CommandName, string>> = {
  status: '`/secrel status`: where the release stands',
  done: '`/secrel done <task> [version]`: a task is done (or tick its box in the description)',
  waive: '`/secrel waive <task> [version] <reason>`: skip a task',
  versions: '`/secrel versions 17.5,17.4`: the affected versions',
  start: '`/secrel start YYYY-MM-DD`: Day one (UTC)',
  slip: '`/secrel slip <hours>`: move every cutoff still ahead',
  mr: '`/secrel mr !<iid>`: add a security merge request',
  abort: '`/secrel abort <reason>`: stop the release',
  retry: '`/secrel retry <task> [version]`: run again a step that failed for good',
  expedite:
    '`/secrel expedite <hours>`: after an embargo break, pull the remaining cutoffs in to now + hours',
  h1: '`/secrel h1 <report id>`: attach a HackerOne report',
  cve: '`/secrel cve CVE-YYYY-NNNN`: attach the CVE id',
  help: '`/secrel help`: this list',
};

/** `/secrel h1`, `/secrel cve` and `/secrel help`. */
function runCockpitCommand(
  state: ReleaseState,
  command: Extract<Command, { name: 'h1' | 'cve' | 'help' }>,
  actor: string,
  ctx: ReleaseContext,
): Outcome {
  const at = isoOf(ctx.now);
  switch (command.name) {
    case 'help': {
      const names = allowedCommands(actor, ctx.config, ctx.playbook);
      return {
        state,
        reply: `commands you (@${actor}) may run:\n\n${names.map((n) => `- ${COMMAND_HELP[n]}`).join('\n')}`,
        timeline: [],
      };
    }
    case 'h1': {
      const reports = state.hackerOneReports ?? [];
      if (reports.includes(command.reportId))
        return { state, reply: `HackerOne report ${command.reportId} was already attached.`, timeline: [] };
      return {
        state: { ...state, hackerOneReports: [...reports, command.reportId] },
        reply: `HackerOne report ${command.reportId} is attached; the disclosure follow-ups use it.`,
        timeline: [
          { at, kind: 'h1-attached', summary: `HackerOne report ${command.reportId} attached`, actor },
        ],
      };
    }
    case 'cve': {
      if (state.cveId === command.cveId)
        return { state, reply: `${command.cveId} was already attached.`, timeline: [] };
      return {
        state: { ...state, cveId: command.cveId },
        reply: `${command.cveId} is attached to this release${state.cveId ? ` (was ${state.cveId})` : ''}.`,
        timeline: [{ at, kind: 'cve-attached', summary: `${command.cveId} attached`, actor }],
      };
    }
  }
}

/** A planning release whose Day one and versions are both set is scheduled. */
function confirmSchedule(state: ReleaseState): ReleaseState {
  const confirmed = state.dayOne !== undefined && state.versions.length > 0;
  return confirmed && state.status === 'planning' ? { ...state, status: 'scheduled' } : state;
}

/** The task key a `done`/`waive` names, or a one-line reason it names none. */
function resolveKey(
  state: ReleaseState,
  ctx: ReleaseContext,
  taskId: string,
  version: string | undefined,
): string {
  const task = ctx.playbook.tasks.find((t) => t.id === taskId);
  if (task === undefined) throw new CommandError(`unknown task "${taskId}"`);
  if (task.scope === 'release') {
    if (version !== undefined)
      throw new CommandError(`${taskId} is done once per release; leave out the version`);
    return taskId;
  }
  const instances = instancesOfTask(task, state.versions);
  if (instances.length === 0)
    throw new CommandError(`set the affected versions first: /secrel versions 17.5,17.4`);
  const versions = instances.map((i) => i.version).join(', ');
  if (version === undefined) {
    const [only] = instances;
    if (instances.length === 1 && only) return only.key;
    throw new CommandError(`name the version: ${taskId}@${instances[0]?.version} (one of ${versions})`);
  }
  const match = instances.find((i) => i.version === version);
  if (!match) throw new CommandError(`${version} is not an affected version for ${taskId} (${versions})`);
  return match.key;
}

/**
 * `/secrel slip <hours>`: later, or earlier with a negative number as long as no cutoff still ahead
 * lands in the past. Every gate the machine waits on is re-timed (`Schedule.Moved`).
 */
function slip(
  state: ReleaseState,
  hours: number,
  ctx: ReleaseContext,
  entry: (kind: string, summary: string) => TimelineEntry,
): Outcome {
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

/**
 * `/secrel retry <task>`: a step that failed for good runs again. The machine waits on the step's
 * `recover:` gate; failing it with `Step.Retry` sends the machine back to the step.
 */
function retry(
  state: ReleaseState,
  key: string,
  entry: (kind: string, summary: string) => TimelineEntry,
): Outcome {
  const gate = `recover:${key}`;
  const waiting = state.gates[gate];
  if (waiting?.status !== 'waiting' || waiting.token === undefined) {
    throw new CommandError(`${key} has not failed; nothing to retry`);
  }
  const { token, ...rest } = waiting;
  return {
    state: { ...state, gates: { ...state.gates, [gate]: rest } },
    reply: `${key} runs again.`,
    timeline: [entry('task-retry', `${key} retried`)],
    effects: [
      { type: 'fail-gate', gate, token, error: WORKFLOW_ERRORS.retry, cause: `${key} retried by a person` },
    ],
  };
}
