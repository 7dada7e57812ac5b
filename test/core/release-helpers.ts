import { DateTime } from 'luxon';
import { parseConfig, type SecrelConfig } from '../../lib/core/config.js';
import { DEFAULT_PLAYBOOK } from '../../lib/core/default-playbook.js';
import { recordStartedPipeline } from '../../lib/core/pipeline-provenance.js';
import { apply } from '../../lib/core/release/apply.js';
import { startRelease } from '../../lib/core/release/start.js';
import type { ReleaseContext } from '../../lib/core/transitions.js';
import type {
  DeploymentEvent,
  GitLabEvent,
  IssueEvent,
  MergeRequestEvent,
  NoteEvent,
  PipelineEvent,
} from '../../lib/core/types/events.js';
import type { Applied, ReleaseState } from '../../lib/core/types/release.js';

/** Small builders of normalized GitLab events and releases for the release core's tests. */

export const PROJECT = { id: 42, path: 'acme/product' } as const;
export const EE_PROJECT = { id: 43, path: 'acme/product-ee' } as const;
export const VULN_IID = 77;
export const RELEASE_IID = 78;
export const GITLAB_URL = 'https://gitlab.example.com';

/** People and their roles. */
export const PEOPLE = {
  lead: 'sam',
  manager: 'rita',
  dev: 'dave',
  infra: 'ian',
  packager: 'pat',
  stranger: 'mallory',
} as const;

export const CONFIG: SecrelConfig = parseConfig({
  gitlab: { url: GITLAB_URL },
  projects: [
    { id: PROJECT.id, path: PROJECT.path, defaultBranch: 'main' },
    { id: EE_PROJECT.id, path: EE_PROJECT.path, defaultBranch: 'master' },
  ],
  roles: {
    'security lead': [PEOPLE.lead],
    'release managers': [PEOPLE.manager],
    'dev team': [PEOPLE.dev],
    infrastructure: [PEOPLE.infra],
    'packaging team': [PEOPLE.packager],
  },
  // Pipelines secrel starts, so claims can be judged against where they must run.
  pipelines: {
    'build-test-packages': { project: PROJECT.id, ref: 'main' },
    'build-packages': { project: PROJECT.path, ref: '{version}-stable' },
    'publish-packages': { project: PROJECT.id, ref: '{version}-stable' },
    'publish-docker': { project: PROJECT.id, ref: '{version}-stable' },
    'publish-code': { project: PROJECT.id, ref: 'main' },
    'update-githost': { project: PROJECT.id, ref: 'main' },
  },
});

export const T0 = DateTime.fromISO('2026-11-30T09:00:00Z', { zone: 'utc' });

/** Context at `T0 + minutes`. */
export function ctxAt(minutes = 0, config: SecrelConfig = CONFIG): ReleaseContext {
  return { config, playbook: DEFAULT_PLAYBOOK, now: T0.plus({ minutes }) };
}

/** ISO time `minutes` after T0. */
export function at(minutes: number): string {
  return T0.plus({ minutes }).toISO() ?? '';
}

export function issueEvent(over: Partial<IssueEvent> = {}): IssueEvent {
  return {
    kind: 'issue',
    projectId: PROJECT.id,
    projectPath: PROJECT.path,
    iid: VULN_IID,
    confidential: true,
    labels: ['critical security release'],
    state: 'opened',
    action: 'update',
    addedLabels: ['critical security release'],
    url: `${GITLAB_URL}/${PROJECT.path}/-/issues/${VULN_IID}`,
    updatedAt: at(0),
    actor: PEOPLE.lead,
    ...over,
  };
}

let nextIid = 100;
export function mrEvent(over: Partial<MergeRequestEvent> = {}): MergeRequestEvent {
  const iid = over.iid ?? nextIid++;
  return {
    kind: 'merge_request',
    projectId: PROJECT.id,
    projectPath: PROJECT.path,
    iid,
    state: 'opened',
    action: 'open',
    sourceBranch: `security-fix-${iid}`,
    targetBranch: 'main',
    title: 'Fix the thing',
    description: `Fixes #${VULN_IID}`,
    url: `${GITLAB_URL}/${PROJECT.path}/-/merge_requests/${iid}`,
    updatedAt: at(1),
    actor: PEOPLE.dev,
    ...over,
  };
}

export function pipelineEvent(over: Partial<PipelineEvent> = {}): PipelineEvent {
  return {
    kind: 'pipeline',
    projectId: PROJECT.id,
    projectPath: PROJECT.path,
    pipelineId: 500,
    ref: 'main',
    status: 'success',
    source: 'push',
    variables: {},
    updatedAt: at(2),
    ...over,
  };
}

export function noteEvent(body: string, over: Partial<NoteEvent> = {}): NoteEvent {
  return {
    kind: 'note',
    projectId: PROJECT.id,
    projectPath: PROJECT.path,
    noteId: nextIid++,
    noteableType: 'Issue',
    noteableIid: VULN_IID,
    // Comments on the confidential vulnerability issue: the only kind that may steer an embargoed release.
    confidential: true,
    action: 'create',
    body,
    url: `${GITLAB_URL}/${PROJECT.path}/-/issues/${VULN_IID}#note_1`,
    createdAt: at(3),
    actor: PEOPLE.lead,
    ...over,
  };
}

export function deploymentEvent(over: Partial<DeploymentEvent> = {}): DeploymentEvent {
  return {
    kind: 'deployment',
    projectId: PROJECT.id,
    projectPath: PROJECT.path,
    deploymentId: 900,
    environment: 'staging',
    status: 'success',
    ref: 'main',
    updatedAt: at(30),
    ...over,
  };
}

/** A release just started from the labelled vulnerability issue. */
export function newRelease(): ReleaseState {
  const started = startRelease(issueEvent(), ctxAt(0));
  if (!started) throw new Error('test setup: release did not start');
  return started.state;
}

/** Applies events in order, each a minute later, and returns the final result. */
export function applyAll(state: ReleaseState, ...events: GitLabEvent[]): Applied {
  let result: Applied = { state, changed: false, timeline: [], effects: [] };
  events.forEach((event, i) => {
    result = apply(result.state, event, ctxAt(10 + i));
  });
  return result;
}

/** Runs `/secrel` comments (by the security lead unless said otherwise). */
export function command(state: ReleaseState, body: string, actor: string = PEOPLE.lead): Applied {
  return apply(state, noteEvent(body, { actor }), ctxAt(5));
}

/** A release with Day one and three affected versions set. */
export function scheduledRelease(versions = '17.5,17.4,17.3'): ReleaseState {
  return command(command(newRelease(), `/secrel versions ${versions}`).state, '/secrel start 2026-12-01')
    .state;
}

/** The replies a result asks for, as text. */
export function replies(result: Applied): string[] {
  return result.effects.flatMap((e) => (e.type === 'reply' ? [e.body] : []));
}

/** The state after secrel started pipeline `pipelineId` for a task on the configured ref, as its action does. */
export function startedPipeline(
  state: ReleaseState,
  key: string,
  pipelineId: number,
  ref: string,
): ReleaseState {
  const change = recordStartedPipeline(state, key, { projectId: PROJECT.id, pipelineId, ref }, ctxAt(8));
  if (!change) throw new Error(`test setup: pipeline ${pipelineId} not recorded for ${key}`);
  return change.state;
}
