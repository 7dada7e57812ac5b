import type { Command } from '../commands.js';
import { CommandError } from '../errors.js';
import { isoOf } from '../moments.js';
import { statusReport } from '../status-report.js';
import type { ReleaseContext } from '../transitions.js';
import type { ReleaseState, TimelineEntry } from '../types/release.js';
import { runCockpitCommand } from './cockpit-commands.js';
import type { CommandOutcome, CommandRun } from './command-reply.js';
import { linkMergeRequest } from './mr-command.js';
import { expedite, setDayOne, setVersions, slip } from './schedule-commands.js';
import { markDone, resolveKey, retry, waive } from './task-commands.js';

/**
 * Runs one authorized `/secrel` command on a release. A finished release answers only `status`
 * and `help`; anything else it refuses with a {@link CommandError}, as every command that cannot
 * do what it was asked does.
 */
export function runCommand(
  state: ReleaseState,
  command: Command,
  actor: string,
  ctx: ReleaseContext,
): CommandOutcome {
  const at = isoOf(ctx.now);
  const entry = (kind: string, summary: string): TimelineEntry => ({ at, kind, summary, actor });
  const run: CommandRun = { state, actor, ctx, at, entry };
  const readOnly = command.name === 'status' || command.name === 'help';
  if (!readOnly && (state.status === 'aborted' || state.status === 'completed')) {
    throw new CommandError(`this release is ${state.status}; nothing changed`);
  }
  switch (command.name) {
    case 'status':
      return { state, reply: `\n\n${statusReport(state, ctx.playbook, ctx.cutoffs)}`, timeline: [] };
    case 'done':
      return markDone(run, command);
    case 'waive':
      return waive(run, command);
    case 'versions':
      return setVersions(run, command);
    case 'start':
      return setDayOne(run, command);
    case 'slip':
      return slip(run, command.hours);
    case 'retry':
      return retry(run, resolveKey(state, ctx, command.taskId, command.version));
    case 'mr':
      return linkMergeRequest(run, command);
    case 'h1':
    case 'cve':
    case 'help':
      return runCockpitCommand(run, command);
    case 'expedite':
      return expedite(run, command);
    case 'abort':
      return {
        state: { ...state, status: 'aborted', abortedReason: command.reason },
        reply: `release aborted by @${actor}. Nothing further will be published.`,
        timeline: [entry('aborted', `release aborted by @${actor}`)],
        effects: [{ type: 'stop-workflow', releaseId: state.id, reason: `aborted by @${actor}` }],
      };
  }
}
