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

/** A timeline line for the command being run, at its moment and by its author. */
export type CommandEntry = (kind: string, summary: string) => TimelineEntry;

/** The issue replies go to: the release issue once it exists, else the vulnerability issue. */
export function replyTarget(state: ReleaseState): IssueRef {
  return state.releaseIssue ?? state.vulnerabilityIssue;
}
