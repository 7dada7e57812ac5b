import { parseCommands } from '../commands.js';
import { CommandError } from '../errors.js';
import { isoOf } from '../moments.js';
import { authorize } from '../permissions.js';
import { type NoteRefusal, noteRefusal, proseLines } from '../quick-actions.js';
import type { ReleaseContext } from '../transitions.js';
import type { NoteEvent } from '../types/events.js';
import type { Effect, ReleaseState, TimelineEntry } from '../types/release.js';
import { REPLY_PREFIX, replyTarget } from './command-reply.js';
import { runCommand } from './run-command.js';

/**
 * Carries out `/secrel` commands from a comment on the release (or vulnerability) issue: each is
 * checked against permissions, answered with a reply on the release issue, and recorded on the
 * timeline without its free text (reasons may be confidential).
 */

/** How many handled note ids a release remembers, so a redelivered comment is answered once. */
export const HANDLED_NOTES_KEPT = 200;

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
          const outcome = runCommand(next, line.command, actor, ctx);
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
