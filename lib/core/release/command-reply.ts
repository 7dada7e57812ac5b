import type { ReleaseContext } from '../transitions.js';
import type { Effect, IssueRef, ReleaseState, TimelineEntry } from '../types/release.js';

/** What a `/secrel` command answers and where: the reply every command gets, and its outcome. */

/** Prefix of every reply, so secrel's own comments are never read back as commands. */
export const REPLY_PREFIX = 'secrel:';

/** What one command did: the release after it, the reply's text, what to record and to do. */
export interface CommandOutcome {
  readonly state: ReleaseState;
  readonly reply: string;
  readonly timeline: readonly TimelineEntry[];
  readonly effects?: readonly Effect[];
}

/** One command being run: the release before it, who asked, what it runs in, and when. */
export interface CommandRun {
  readonly state: ReleaseState;
  readonly actor: string;
  readonly ctx: ReleaseContext;
  /** The command's moment: the release clock's now, as an ISO string. */
  readonly at: string;
  /** A timeline line at this moment by this actor. */
  readonly entry: (kind: string, summary: string) => TimelineEntry;
}

/** The issue replies go to: the release issue once it exists, else the vulnerability issue. */
export function replyTarget(state: ReleaseState): IssueRef {
  return state.releaseIssue ?? state.vulnerabilityIssue;
}
