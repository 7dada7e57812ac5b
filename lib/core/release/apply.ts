import { applyChecklist } from '../checklist.js';
import type { SecrelConfig } from '../config.js';
import { applyEmbargoBreak, applyMergeRequestEmbargoBreak, followedBy } from '../embargo-break.js';
import { isOlder, isoOf, millisOf } from '../moments.js';
import { countedViaAfter } from '../mr-provenance.js';
import { rolesOf } from '../permissions.js';
import { judgePipelineClaim, refuseClaim, SECREL_VARIABLES } from '../pipeline-provenance.js';
import { hookReasons, mergeRequestPeople } from '../readiness.js';
import { referencesIssue } from '../references.js';
import { environmentKind } from '../signals.js';
import { initialTaskStates } from '../tasks.js';
import { type Change, type ReleaseContext, sameValue, settle, unchanged } from '../transitions.js';
import type {
  DeploymentEvent,
  GitLabEvent,
  IssueEvent,
  MergeRequestEvent,
  PipelineEvent,
} from '../types/events.js';
import type {
  Applied,
  Effect,
  MergeRequestState,
  ReleaseState,
  TaskState,
  TimelineEntry,
} from '../types/release.js';
import { versionForBranch } from '../versions.js';
import { applyNote } from './apply-note.js';
import { applyTag } from './tag-proof.js';

export type { ReleaseContext } from '../transitions.js';
export {
  type AutomatedResult,
  completeAutomatedTask,
  enterPhase,
  recordActionFailure,
  recordGateToken,
  setStatus,
} from '../transitions.js';

/**
 * A security release as a pure state machine over GitLab events: how one starts, and how each
 * merge request, pipeline, deployment, issue and comment moves it (DESIGN.md §5).
 */

export { SECREL_VARIABLES } from '../pipeline-provenance.js';

/** Who GitLab-observed changes are attributed to when the event names no user. */
const GITLAB = 'gitlab';

/** The release id of a vulnerability issue: a re-label or duplicate event yields the same id. */
export function releaseIdFor(projectId: number, iid: number): string {
  return `${projectId}-${iid}`;
}

function projectOf(config: SecrelConfig, projectId: number): SecrelConfig['projects'][number] | undefined {
  return config.projects.find((p) => p.id === projectId);
}

/**
 * Starts a release when a confidential, open issue in a configured project has (or just got)
 * the release label. Undefined when the event starts nothing. The caller only calls this when no
 * release exists for the issue yet; the id makes a second start impossible anyway.
 */
export function startRelease(event: IssueEvent, ctx: ReleaseContext): Applied | undefined {
  if (!wouldStart(event, ctx.config) || !mayStart(event.actor, ctx.config)) return undefined;
  const at = isoOf(ctx.now);
  const id = releaseIdFor(event.projectId, event.iid);
  const seed: ReleaseState = {
    id,
    revision: 0,
    status: 'planning',
    projectId: event.projectId,
    projectPath: event.projectPath,
    vulnerabilityIssue: { projectId: event.projectId, iid: event.iid, url: event.url },
    slipHours: 0,
    versions: [],
    phase: 'first-steps',
    tasks: initialTaskStates(ctx.playbook, []),
    mergeRequests: {},
    pipelines: {},
    deployments: {},
    gates: {},
    createdAt: at,
    updatedAt: at,
  };
  // Titles never reach the timeline: the issue is named by project and iid only.
  const started: TimelineEntry = {
    at,
    kind: 'release-started',
    summary: `release started from confidential issue #${event.iid} in project ${event.projectId}`,
    actor: event.actor,
  };
  return settle(
    seed,
    { state: seed, timeline: [started], effects: [{ type: 'start-workflow', releaseId: id }] },
    ctx,
    event.actor,
  );
}

/** Whether an issue event asks for a release: a confidential, open issue in a configured project with the label. */
function wouldStart(event: IssueEvent, config: SecrelConfig): boolean {
  const label = config.releaseLabel.toLowerCase();
  const labelled = [...event.labels, ...event.addedLabels].some((l) => l.toLowerCase() === label);
  return (
    labelled &&
    event.confidential &&
    event.state === 'opened' &&
    projectOf(config, event.projectId) !== undefined
  );
}

/** Whether a GitLab user holds a role that may start releases (`startRoles`, the security lead by default). */
export function mayStart(username: string, config: SecrelConfig): boolean {
  return rolesOf(config, username).some((role) => config.startRoles.includes(role));
}

/**
 * The one reply to a label added by someone who may not start releases: who may. Undefined when the
 * event starts a release, asks for none, or did not just add the label (so later updates stay silent).
 */
export function refusedStart(event: IssueEvent, ctx: ReleaseContext): Effect | undefined {
  if (!wouldStart(event, ctx.config) || mayStart(event.actor, ctx.config)) return undefined;
  const label = ctx.config.releaseLabel.toLowerCase();
  if (!event.addedLabels.some((l) => l.toLowerCase() === label)) return undefined;
  const roles = ctx.config.startRoles.join(' or ');
  return {
    type: 'reply',
    issue: { projectId: event.projectId, iid: event.iid, url: event.url },
    body: `secrel: no security release was started: only the ${roles} may start one by adding the ~"${ctx.config.releaseLabel}" label. Ask them to add it.`,
  };
}

/** Applies one GitLab event to a release. Stale, duplicate and unrelated events change nothing. */
export function apply(state: ReleaseState, event: GitLabEvent, ctx: ReleaseContext): Applied {
  const finished = state.status === 'aborted' || state.status === 'completed';
  if (finished && event.kind !== 'note') return unchanged(state);
  switch (event.kind) {
    case 'merge_request': {
      const joined = applyMergeRequest(state, event, ctx);
      const broken = applyMergeRequestEmbargoBreak(
        joined?.state ?? state,
        event,
        isReleaseMergeRequest(state, event, ctx.config),
        ctx,
      );
      return settle(state, followedBy(joined, broken), ctx, event.actor);
    }
    case 'pipeline':
      return settle(state, applyPipeline(state, event, ctx), ctx, GITLAB);
    case 'deployment':
      return settle(state, applyDeployment(state, event, ctx), ctx, GITLAB);
    case 'issue':
      return settle(
        state,
        applyIssue(state, event, ctx) ??
          applyEmbargoBreak(state, event, ctx) ??
          applyChecklist(state, event, ctx),
        ctx,
        event.actor,
      );
    case 'note':
      return settle(state, applyNote(state, event, ctx), ctx, event.actor);
    case 'tag_push':
    case 'release':
      return settle(state, applyTag(state, event, ctx), ctx, GITLAB);
    default:
      return unchanged(state);
  }
}

/** Whether an MR is the release's (joined or linked), or one in a configured project that references it. */
function isReleaseMergeRequest(state: ReleaseState, event: MergeRequestEvent, config: SecrelConfig): boolean {
  const key = `${event.projectId}!${event.iid}`;
  if (state.mergeRequests[key] !== undefined || (state.linkedMergeRequests ?? []).includes(key)) return true;
  return projectOf(config, event.projectId) !== undefined && referencesRelease(state, event, config);
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
            projectOf(config, issue.projectId)?.path ??
            (issue.projectId === state.projectId ? state.projectPath : undefined),
        },
        event.projectId,
        config.gitlab.url,
      ),
  );
}

function applyMergeRequest(
  state: ReleaseState,
  event: MergeRequestEvent,
  ctx: ReleaseContext,
): Change | undefined {
  const project = projectOf(ctx.config, event.projectId);
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

/** Progress order of pipeline and deployment statuses, for events that carry the same timestamp. */
const STATUS_RANK: Readonly<Record<string, number>> = {
  created: 0,
  waiting_for_resource: 1,
  preparing: 2,
  pending: 3,
  scheduled: 3,
  manual: 4,
  running: 5,
  success: 6,
  failed: 6,
  canceled: 6,
  skipped: 6,
  blocked: 4,
};

/**
 * Whether an event is newer than what is stored. GitLab ids grow with creation, so a higher pipeline or
 * deployment id is the later run whatever the clocks say; for the same run, a later `updatedAt`, or the
 * same moment and further along (GitLab stamps pending and running with the creation time).
 */
function isNewer(
  candidate: { readonly id: number; readonly updatedAt: string; readonly status: string },
  stored: { readonly id: number; readonly updatedAt: string; readonly status: string } | undefined,
): boolean {
  if (stored === undefined) return true;
  if (candidate.id !== stored.id) return candidate.id > stored.id;
  const delta = millisOf(candidate.updatedAt) - millisOf(stored.updatedAt);
  if (delta !== 0) return delta > 0;
  return (STATUS_RANK[candidate.status] ?? 0) > (STATUS_RANK[stored.status] ?? 0);
}

function isSecurityBranchPipeline(state: ReleaseState, event: PipelineEvent): boolean {
  return Object.values(state.mergeRequests).some(
    (mr) =>
      mr.projectId === event.projectId &&
      (mr.sourceBranch === event.ref || event.ref.startsWith(`refs/merge-requests/${mr.iid}/`)),
  );
}

function applyPipeline(state: ReleaseState, event: PipelineEvent, ctx: ReleaseContext): Change | undefined {
  const releaseId = event.variables[SECREL_VARIABLES.releaseId];
  if (releaseId !== undefined && releaseId !== state.id) return undefined;
  const at = isoOf(ctx.now);
  // SECREL_* variables are a claim anyone who can run a pipeline can make: only provenance counts.
  const claim =
    releaseId === state.id ? judgePipelineClaim(state, event, ctx.playbook, ctx.config) : undefined;
  if (claim?.kind === 'refused') {
    const refused = refuseClaim(state, event, claim, at);
    return refused && { ...refused, effects: [] };
  }
  const ours = claim?.kind === 'confirmed';
  if (!ours && !isSecurityBranchPipeline(state, event)) return undefined;
  const candidate = { id: event.pipelineId, updatedAt: event.updatedAt, status: event.status };
  let next = state;
  const timeline: TimelineEntry[] = [];
  const effects: Change['effects'][number][] = [];

  const refKey = `${event.projectId}:${event.ref}`;
  const storedRef = state.pipelines[refKey];
  if (isNewer(candidate, storedRef && { id: storedRef.pipelineId, ...storedRef })) {
    const action = ours ? event.variables[SECREL_VARIABLES.action] : undefined;
    next = {
      ...next,
      pipelines: {
        ...next.pipelines,
        [refKey]: {
          projectId: event.projectId,
          pipelineId: event.pipelineId,
          ref: event.ref,
          status: event.status,
          ...(action ? { action } : {}),
          updatedAt: event.updatedAt,
        },
      },
    };
    timeline.push({
      at,
      kind: 'pipeline',
      summary: `pipeline ${event.pipelineId} on ${event.ref} is ${event.status}`,
    });
  }

  const key = claim?.kind === 'confirmed' ? claim.key : undefined;
  const task = key === undefined ? undefined : next.tasks[key];
  if (key !== undefined && task !== undefined && task.status !== 'done') {
    const last = task.lastPipeline;
    if (isNewer(candidate, last && { id: last.pipelineId, ...last })) {
      const lastPipeline = {
        projectId: event.projectId,
        pipelineId: event.pipelineId,
        ref: event.ref,
        status: event.status,
        updatedAt: event.updatedAt,
      };
      const succeeded = event.status === 'success';
      const updated: TaskState = succeeded
        ? { ...task, status: 'done', by: 'secrel', at, via: 'automation', lastPipeline }
        : { ...task, lastPipeline };
      next = { ...next, tasks: { ...next.tasks, [key]: updated } };
      if (succeeded)
        timeline.push({
          at,
          kind: 'task-done',
          summary: `${key} done: pipeline ${event.pipelineId} succeeded`,
          actor: 'secrel',
        });
      const gateId = `pipeline:${key}`;
      const gate = next.gates[gateId];
      if (
        (event.status === 'failed' || event.status === 'canceled') &&
        gate?.status === 'waiting' &&
        gate.token
      ) {
        const cause = `pipeline for ${key} ${event.status}`;
        next = { ...next, gates: { ...next.gates, [gateId]: { ...gate, status: 'failed', failedAt: at } } };
        effects.push({ type: 'fail-gate', gate: gateId, token: gate.token, error: 'Pipeline.Failed', cause });
        timeline.push({ at, kind: 'gate-failed', summary: `gate ${gateId} failed: ${cause}` });
      }
    }
  }
  return next === state ? undefined : { state: next, timeline, effects };
}

function applyDeployment(
  state: ReleaseState,
  event: DeploymentEvent,
  ctx: ReleaseContext,
): Change | undefined {
  // Only deployments that can prove a task are kept; review apps would only bloat the state.
  if (
    projectOf(ctx.config, event.projectId) === undefined ||
    environmentKind(event.environment) === undefined
  ) {
    return undefined;
  }
  const stored = state.deployments[event.environment];
  const candidate = { id: event.deploymentId, updatedAt: event.updatedAt, status: event.status };
  if (!isNewer(candidate, stored && { id: stored.deploymentId, ...stored })) return undefined;
  const at = isoOf(ctx.now);
  return {
    state: {
      ...state,
      deployments: {
        ...state.deployments,
        [event.environment]: {
          environment: event.environment,
          status: event.status,
          deploymentId: event.deploymentId,
          updatedAt: event.updatedAt,
        },
      },
    },
    timeline: [
      {
        at,
        kind: 'deployment',
        summary: `deployment ${event.deploymentId} to ${event.environment} is ${event.status}`,
      },
    ],
    effects: [],
  };
}

function applyIssue(state: ReleaseState, event: IssueEvent, ctx: ReleaseContext): Change | undefined {
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
