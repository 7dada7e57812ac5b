import { type ReleaseContext, settle, unchanged } from '../transitions.js';
import type { GitLabEvent } from '../types/events.js';
import type { Applied, ReleaseState } from '../types/release.js';
import { applyDeployment } from './apply-deployment.js';
import { applyIssue } from './apply-issue.js';
import { applyMergeRequest } from './apply-merge-request.js';
import { applyNote } from './apply-note.js';
import { applyPipeline } from './apply-pipeline.js';
import { applyTag } from './tag-proof.js';

/**
 * A security release as a pure state machine over GitLab events (DESIGN.md §5): each event kind
 * is applied by its own module beside this one, and every change goes through `settle`.
 */

/** Who GitLab-observed changes are attributed to when the event names no user. */
const GITLAB = 'gitlab';

/** Applies one GitLab event to a release. Stale, duplicate and unrelated events change nothing. */
export function apply(state: ReleaseState, event: GitLabEvent, ctx: ReleaseContext): Applied {
  const finished = state.status === 'aborted' || state.status === 'completed';
  if (finished && event.kind !== 'note') return unchanged(state);
  switch (event.kind) {
    case 'merge_request':
      return settle(state, applyMergeRequest(state, event, ctx), ctx, event.actor);
    case 'pipeline':
      return settle(state, applyPipeline(state, event, ctx), ctx, GITLAB);
    case 'deployment':
      return settle(state, applyDeployment(state, event, ctx), ctx, GITLAB);
    case 'issue':
      return settle(state, applyIssue(state, event, ctx), ctx, event.actor);
    case 'note':
      return settle(state, applyNote(state, event, ctx), ctx, event.actor);
    case 'tag_push':
    case 'release':
      return settle(state, applyTag(state, event, ctx), ctx, GITLAB);
    default:
      return unchanged(state);
  }
}
