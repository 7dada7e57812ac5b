import { applyChecklist } from '../checklist.js';
import { applyEmbargoBreak } from '../embargo-break.js';
import { isOlder, isoOf } from '../moments.js';
import type { Change, ReleaseContext } from '../transitions.js';
import type { IssueEvent } from '../types/events.js';
import type { ReleaseState } from '../types/release.js';

/**
 * Issue Hooks on a running release: the mitigation issue's state, an embargo break, or ticked
 * boxes in the release issue's checklist, in that order; the first that applies is the change.
 */

/** The change an issue event makes to a release that exists. */
export function applyIssue(state: ReleaseState, event: IssueEvent, ctx: ReleaseContext): Change | undefined {
  return (
    followMitigationIssue(state, event, ctx) ??
    applyEmbargoBreak(state, event, ctx) ??
    applyChecklist(state, event, ctx)
  );
}

/** Follows the mitigation issue's open/closed state. */
function followMitigationIssue(
  state: ReleaseState,
  event: IssueEvent,
  ctx: ReleaseContext,
): Change | undefined {
  const mitigation = state.mitigationIssue;
  if (mitigation === undefined || mitigation.projectId !== event.projectId || mitigation.iid !== event.iid) {
    return undefined;
  }
  if (mitigation.updatedAt !== undefined && isOlder(event.updatedAt, mitigation.updatedAt)) return undefined;
  if (mitigation.state === event.state && mitigation.updatedAt === event.updatedAt) return undefined;
  const at = isoOf(ctx.now);
  return {
    state: { ...state, mitigationIssue: { ...mitigation, state: event.state, updatedAt: event.updatedAt } },
    timeline:
      mitigation.state === event.state
        ? []
        : [
            {
              at,
              kind: 'mitigation-issue',
              summary: `mitigation issue #${event.iid} ${event.state}`,
              actor: event.actor,
            },
          ],
    effects: [],
  };
}
