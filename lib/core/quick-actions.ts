import type { NoteEvent } from './types/events.js';
import type { Playbook } from './types/playbook.js';
import type { ReleaseState } from './types/release.js';

/**
 * `/secrel` lines behave like GitLab quick actions: they run from a comment as it is created (never an
 * edit, never GitLab's own system notes), never from code (a fenced or indented block, or inline code),
 * and while the release is embargoed only from a confidential or internal note, so nobody steers a
 * security release from a comment the world can read.
 */

/** Why a note's commands are not run; undefined when they may be. */
export type NoteRefusal = 'edited' | 'system' | 'public-during-embargo';

/** Whether the release is still under embargo: confidentiality has not been lifted yet. */
export function embargoed(state: ReleaseState, playbook: Playbook): boolean {
  if (state.status === 'afterwards' || state.status === 'completed') return false;
  const lift = playbook.tasks.find(
    (t) => t.completion.kind === 'automated' && t.completion.action === 'lift-confidentiality',
  );
  return lift === undefined || state.tasks[lift.id]?.status !== 'done';
}

/** Whether a note may carry commands at all (the issue it is on is checked by the caller). */
export function noteRefusal(
  state: ReleaseState,
  event: NoteEvent,
  playbook: Playbook,
): NoteRefusal | undefined {
  if (event.system === true) return 'system';
  // GitLab's documented payloads before 16.x carry no action: those are creations.
  if (event.action !== undefined && event.action !== 'create') return 'edited';
  if (!event.confidential && embargoed(state, playbook)) return 'public-during-embargo';
  return undefined;
}

const FENCE = /^ {0,3}(`{3,}|~{3,})/;

/**
 * The lines of a comment that are prose, not code: lines inside fenced blocks (``` or ~~~) and indented
 * code lines (four spaces or a tab) are dropped, so a `/secrel` example quoted in code is never run.
 * Inline code needs nothing: a line that starts with a backtick does not start with `/secrel`.
 */
export function proseLines(body: string): string[] {
  const lines: string[] = [];
  let fence: string | undefined;
  for (const line of body.split(/\r?\n/)) {
    const marker = FENCE.exec(line)?.[1];
    if (fence !== undefined) {
      if (marker !== undefined && marker[0] === fence[0] && marker.length >= fence.length) fence = undefined;
      continue;
    }
    if (marker !== undefined) {
      fence = marker;
      continue;
    }
    if (/^( {4}|\t)/.test(line)) continue;
    lines.push(line);
  }
  return lines;
}
