import { configuredProject, type SecrelConfig } from '../config.js';
import { isoOf } from '../moments.js';
import { rolesOf } from '../permissions.js';
import { initialTaskStates } from '../tasks.js';
import { type ReleaseContext, settle } from '../transitions.js';
import type { IssueEvent } from '../types/events.js';
import type { Applied, Effect, ReleaseState, TimelineEntry } from '../types/release.js';

/**
 * How a release starts: a confidential, open issue in a configured project gets the release label
 * from someone who may start releases; anyone else is told who may.
 */

/** The release id of a vulnerability issue: a re-label or duplicate event yields the same id. */
export function releaseIdFor(projectId: number, iid: number): string {
  return `${projectId}-${iid}`;
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
    configuredProject(config, event.projectId) !== undefined
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
