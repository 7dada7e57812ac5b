import type { GitLabEvent } from '../types/events.js';

/** What became of a delivery: a normalized event, or a reason it is not secrel's business. */
export type ParseOutcome =
  | { readonly status: 'parsed'; readonly event: GitLabEvent }
  | { readonly status: 'ignored'; readonly reason: string };

/** Facts about the delivery that the payload itself does not carry. */
export interface ParseContext {
  /**
   * When ingress received the delivery (ISO, UTC). Tag push and release payloads have no update
   * time of their own, so this becomes their `updatedAt` when given.
   */
  readonly receivedAt?: string;
}

/** Turns one kind of webhook body into a {@link ParseOutcome}; throws `PayloadRejectedError` on a schema failure. */
export type EventParser = (eventHeader: string, body: unknown, context: ParseContext) => ParseOutcome;

/** Wraps a normalized event as a parsed outcome. */
export function parsed(event: GitLabEvent): ParseOutcome {
  return { status: 'parsed', event };
}

/** An outcome for a delivery secrel reads but does not act on; the reason never quotes the payload. */
export function ignored(reason: string): ParseOutcome {
  return { status: 'ignored', reason };
}
