import type { SecrelConfig } from './config.js';
import { mentionedIssues } from './mentioned-issues.js';
import { environmentKind } from './signals.js';
import type { GitLabEvent } from './types/events.js';
import type { ReleaseState } from './types/release.js';

/**
 * Routing keys: how ingress finds the releases an event may concern without scanning. A release
 * owns keys (its issues, MRs, MR source branches, its id); an event offers keys; the store joins
 * them. An offered key that resolves to nothing is simply not this release's business.
 */

/** Builders of routing keys, one per kind. */
export const routingKey = {
  issue: (projectId: number, iid: number) => `issue:${projectId}:${iid}`,
  mergeRequest: (projectId: number, iid: number) => `mr:${projectId}:${iid}`,
  ref: (projectId: number, ref: string) => `ref:${projectId}:${ref}`,
  release: (releaseId: string) => `release:${releaseId}`,
  project: (projectId: number) => `project:${projectId}`,
} as const;

const MR_REF = /^refs\/merge-requests\/(\d+)\//;

/**
 * The keys an event can be found by: what the event itself names. An MR a release does not know
 * yet is found through the issues its text references (the release owns its issues' keys), so an
 * MR event costs the same however many releases are active. Deployments name no release: only
 * those to an environment that can prove a task reach the project's active releases
 * (`project:` keys); review apps and the like reach none.
 *
 * Without `config`, an MR's references cannot be resolved to projects and it falls back to its
 * `project:` key (reaching every active release of the project).
 */
export function eventRoutingKeys(
  event: GitLabEvent,
  config?: Pick<SecrelConfig, 'gitlab' | 'projects'>,
): string[] {
  switch (event.kind) {
    case 'issue':
      return [routingKey.issue(event.projectId, event.iid)];
    case 'merge_request': {
      const own = routingKey.mergeRequest(event.projectId, event.iid);
      if (!config) return [own, routingKey.project(event.projectId)];
      const text = `${event.title}\n${event.description}`;
      const issues = mentionedIssues(text, event.projectId, config, event.projectPath);
      return [own, ...issues.map((issue) => routingKey.issue(issue.projectId, issue.iid))];
    }
    case 'pipeline': {
      const keys = [routingKey.ref(event.projectId, event.ref)];
      const mrIid = MR_REF.exec(event.ref)?.[1];
      if (mrIid !== undefined) keys.push(routingKey.mergeRequest(event.projectId, Number(mrIid)));
      const releaseId = event.variables.SECREL_RELEASE_ID;
      if (releaseId) keys.push(routingKey.release(releaseId));
      return keys;
    }
    case 'note':
      if (event.noteableIid === undefined) return [];
      if (event.noteableType === 'Issue') return [routingKey.issue(event.projectId, event.noteableIid)];
      if (event.noteableType === 'MergeRequest')
        return [routingKey.mergeRequest(event.projectId, event.noteableIid)];
      return [];
    case 'deployment':
      return environmentKind(event.environment) === undefined ? [] : [routingKey.project(event.projectId)];
    case 'release':
    case 'tag_push':
      // A tag names no release: it may prove publication for any active release of the project.
      return [routingKey.project(event.projectId)];
  }
}

/**
 * The keys a release owns: its id, its issues, its MRs (also those linked by `/secrel mr` before
 * their first event), their source branches, and while it is active the configured projects.
 */
export function releaseRoutingKeys(state: ReleaseState, config?: SecrelConfig): string[] {
  const keys = new Set<string>([routingKey.release(state.id)]);
  for (const issue of [state.vulnerabilityIssue, state.releaseIssue, state.mitigationIssue]) {
    if (issue) keys.add(routingKey.issue(issue.projectId, issue.iid));
  }
  for (const mr of Object.values(state.mergeRequests)) {
    keys.add(routingKey.mergeRequest(mr.projectId, mr.iid));
    keys.add(routingKey.ref(mr.projectId, mr.sourceBranch));
  }
  for (const linked of state.linkedMergeRequests ?? []) {
    const [projectId, iid] = linked.split('!').map(Number);
    if (projectId !== undefined && iid !== undefined) keys.add(routingKey.mergeRequest(projectId, iid));
  }
  if (state.status !== 'aborted' && state.status !== 'completed') {
    keys.add(routingKey.project(state.projectId));
    for (const project of config?.projects ?? []) keys.add(routingKey.project(project.id));
  }
  return [...keys];
}

/** How a change moves a release's routing keys: those to write, and those it gives up. */
export interface RoutingKeyChanges {
  /** Keys `after` has that `before` had not (an issue the change created must become findable). */
  readonly added: string[];
  /** Keys `before` had that `after` gives up (a completed or aborted release drops its projects). */
  readonly dropped: string[];
}

/** The routing keys a change from `before` (undefined: a new release) to `after` adds and drops. */
export function routingKeyChanges(
  before: ReleaseState | undefined,
  after: ReleaseState,
  config?: SecrelConfig,
): RoutingKeyChanges {
  const known = before ? releaseRoutingKeys(before, config) : [];
  const wanted = releaseRoutingKeys(after, config);
  const had = new Set(known);
  const keeps = new Set(wanted);
  return { added: wanted.filter((key) => !had.has(key)), dropped: known.filter((key) => !keeps.has(key)) };
}
