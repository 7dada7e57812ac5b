import type { Command } from '../commands.js';
import { CommandError } from '../errors.js';
import { isoOf } from '../moments.js';
import { statusReport } from '../status-report.js';
import type { ReleaseContext } from '../transitions.js';
import type { ReleaseState, TimelineEntry } from '../types/release.js';
import { runCockpitCommand } from './cockpit-commands.js';
import type { CommandOutcome } from './command-reply.js';
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
  const readOnly = command.name === 'status' || command.name === 'help';
  if (!readOnly && (state.status === 'aborted' || state.status === 'completed')) {
    throw new CommandError(`this release is ${state.status}; nothing changed`);
  }
  switch (command.name) {
    case 'status':
      return { state, reply: `\n\n${statusReport(state, ctx.playbook, ctx.cutoffs)}`, timeline: [] };
    case 'done':
      return markDone(state, command, actor, ctx, entry);
    case 'waive':
      return waive(state, command, actor, ctx, entry);
    case 'versions':
      return setVersions(state, command, ctx, entry);
    case 'start':
      return setDayOne(state, command, ctx, entry);
    case 'slip':
      return slip(state, command.hours, ctx, entry);
    case 'retry':
      return retry(state, resolveKey(state, ctx, command.taskId, command.version), entry);
    case 'mr':
      return linkMergeRequest(state, command, actor, ctx, entry);
    case 'h1':
    case 'cve':
    case 'help':
      return runCockpitCommand(state, command, actor, ctx);
    case 'expedite':
      return expedite(state, command, ctx, entry);
    case 'abort':
      return {
        state: { ...state, status: 'aborted', abortedReason: command.reason },
        reply: `release aborted by @${actor}. Nothing further will be published.`,
        timeline: [entry('aborted', `release aborted by @${actor}`)],
        effects: [{ type: 'stop-workflow', releaseId: state.id, reason: `aborted by @${actor}` }],
      };
  }
}
