import { configuredProject, type SecrelConfig } from '../config.js';
import { applyMergeRequestEmbargoBreak, followedBy } from '../embargo-break.js';
import { isOlder, isoOf } from '../moments.js';
import { countedViaAfter } from '../mr-provenance.js';
import { hookReasons, mergeRequestPeople } from '../readiness.js';
import { referencesIssue } from '../references.js';
import { type Change, type ReleaseContext, sameValue } from '../transitions.js';
import type { MergeRequestEvent } from '../types/events.js';
import type { MergeRequestState, ReleaseState, TimelineEntry } from '../types/release.js';
import { versionForBranch } from '../versions.js';

/**
 * Merge Request Hooks: an MR that references the release (or was named with `/secrel mr`) joins
 * it for the version its target branch names, and any MR of the release may break the embargo.
 */

/** The change an MR event makes: following the MR, then whatever it reveals of the embargo. */
export function applyMergeRequest(
  state: ReleaseState,
  event: MergeRequestEvent,
  ctx: ReleaseContext,
): Change | undefined {
  const joined = followMergeRequest(state, event, ctx);
  const broken = applyMergeRequestEmbargoBreak(
    joined?.state ?? state,
    event,
    isReleaseMergeRequest(state, event, ctx.config),
    ctx,
  );
  return followedBy(joined, broken);
}

/** Whether an MR is the release's (joined or linked), or one in a configured project that references it. */
function isReleaseMergeRequest(state: ReleaseState, event: MergeRequestEvent, config: SecrelConfig): boolean {
  const key = `${event.projectId}!${event.iid}`;
  if (state.mergeRequests[key] !== undefined || (state.linkedMergeRequests ?? []).includes(key)) return true;
  return configuredProject(config, event.projectId) !== undefined && referencesRelease(state, event, config);
}

/** Whether an MR's title or description references the vulnerability or release issue. */
function referencesRelease(state: ReleaseState, event: MergeRequestEvent, config: SecrelConfig): boolean {
  const text = `${event.title}\n${event.description}`;
  return [state.vulnerabilityIssue, state.releaseIssue].some(
    (issue) =>
      issue !== undefined &&
      referencesIssue(
        text,
        {
          ...issue,
          projectPath:
            configuredProject(config, issue.projectId)?.path ??
            (issue.projectId === state.projectId ? state.projectPath : undefined),
        },
        event.projectId,
        config.gitlab.url,
      ),
  );
}

function followMergeRequest(
  state: ReleaseState,
  event: MergeRequestEvent,
  ctx: ReleaseContext,
): Change | undefined {
  const project = configuredProject(ctx.config, event.projectId);
  if (project === undefined) return undefined;
  const key = `${event.projectId}!${event.iid}`;
  const stored = state.mergeRequests[key];
  const linked = (state.linkedMergeRequests ?? []).includes(key);
  if (stored === undefined && !linked && !referencesRelease(state, event, ctx.config)) return undefined;
  if (stored !== undefined && isOlder(event.updatedAt, stored.updatedAt)) return undefined;
  const version = versionForBranch(
    event.targetBranch,
    project.defaultBranch,
    ctx.config.versionBranchPattern,
  );
  if (version === undefined) return undefined;
  const observed: MergeRequestState = {
    projectId: event.projectId,
    iid: event.iid,
    targetBranch: event.targetBranch,
    sourceBranch: event.sourceBranch,
    version,
    state: event.state,
    url: event.url,
    updatedAt: event.updatedAt,
    ...mergeRequestReadiness(event, stored),
  };
  const countedVia = countedViaAfter(state, stored, version, linked, event.actor, ctx.config);
  const next: MergeRequestState = { ...observed, ...(countedVia ? { countedVia } : {}) };
  if (stored !== undefined && sameValue(stored, next)) return undefined;
  const at = isoOf(ctx.now);
  const counting = countedVia === undefined ? ', not counted as a fix' : '';
  const summary =
    stored === undefined
      ? `MR !${event.iid} in project ${event.projectId} joined for ${version} (${event.state}${counting})`
      : `MR !${event.iid} in project ${event.projectId} is ${event.state}${counting}`;
  const timeline: TimelineEntry[] = [
    { at, kind: stored === undefined ? 'mr-joined' : 'mr-updated', summary, actor: event.actor },
  ];
  let replacementNeeded = state.replacementNeeded ?? {};
  // Only a fresh `/secrel mr` names a replacement; an MR named before the fix was withdrawn does not.
  if (linked && replacementNeeded[version] !== undefined) {
    const { [version]: _replaced, ...rest } = replacementNeeded;
    replacementNeeded = rest;
  }
  // A fix that counted and is abandoned leaves its version without one until a person names the next.
  if (stored?.countedVia !== undefined && stored.state !== 'closed' && event.state === 'closed') {
    replacementNeeded = { ...replacementNeeded, [version]: { projectId: event.projectId, iid: event.iid } };
    timeline.push({
      at,
      kind: 'fix-withdrawn',
      summary: `${version} has no fix: MR !${event.iid} in project ${event.projectId} closed unmerged; name the replacement with /secrel mr`,
      actor: event.actor,
    });
  }
  return {
    state: {
      ...state,
      mergeRequests: { ...state.mergeRequests, [key]: next },
      ...(linked ? { linkedMergeRequests: (state.linkedMergeRequests ?? []).filter((k) => k !== key) } : {}),
      ...(state.replacementNeeded !== undefined || Object.keys(replacementNeeded).length > 0
        ? { replacementNeeded }
        : {}),
    },
    timeline,
    effects: [],
  };
}

/** The readiness fields an MR keeps from its hook (`lib/core/readiness.ts`). */
function mergeRequestReadiness(
  event: MergeRequestEvent,
  stored: MergeRequestState | undefined,
): Pick<MergeRequestState, 'notReady' | 'people'> {
  const notReady = hookReasons(event);
  const people = mergeRequestPeople(event, stored);
  return { ...(notReady.length > 0 ? { notReady } : {}), ...(people.length > 0 ? { people } : {}) };
}
