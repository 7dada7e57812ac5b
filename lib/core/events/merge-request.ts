import * as z from 'zod';
import type { MergeRequestEvent, MergeRequestReadiness } from '../types/events.js';
import { type EventParser, parsed } from './outcome.js';
import { parsePayload } from './payload.js';
import { projectSchema, userSchema } from './shared.js';
import { gitlabTime } from './time.js';

/** `X-Gitlab-Event` of a merge request event. */
export const MERGE_REQUEST_HEADER = 'Merge Request Hook';

/** Merge Request Hook payload: the fields secrel reads. */
export const mergeRequestPayloadSchema = z.looseObject({
  object_kind: z.literal('merge_request'),
  user: userSchema,
  project: projectSchema.extend({
    visibility_level: z.number().int().nullish(),
    visibility: z.string().nullish(),
  }),
  object_attributes: z.looseObject({
    iid: z.number().int(),
    state: z.enum(['opened', 'closed', 'merged', 'locked']),
    action: z.string().nullish(),
    source_branch: z.string(),
    target_branch: z.string(),
    title: z.string(),
    description: z.string().nullish(),
    url: z.string(),
    updated_at: gitlabTime,
    draft: z.boolean().nullish(),
    work_in_progress: z.boolean().nullish(),
    detailed_merge_status: z.string().nullish(),
    blocking_discussions_resolved: z.boolean().nullish(),
  }),
  assignees: z.array(z.looseObject({ username: z.string() })).nullish(),
});

/** Parses a Merge Request Hook body into a {@link MergeRequestEvent}. */
export const parseMergeRequestHook: EventParser = (eventHeader, body) => {
  const payload = parsePayload(mergeRequestPayloadSchema, eventHeader, body);
  const attributes = payload.object_attributes;
  const event: MergeRequestEvent = {
    kind: 'merge_request',
    projectId: payload.project.id,
    projectPath: payload.project.path_with_namespace,
    iid: attributes.iid,
    state: attributes.state,
    action: attributes.action ?? undefined,
    sourceBranch: attributes.source_branch,
    targetBranch: attributes.target_branch,
    title: attributes.title,
    description: attributes.description ?? '',
    url: attributes.url,
    updatedAt: attributes.updated_at,
    actor: payload.user.username,
    readiness: readinessOf(payload),
    ...visibilityOf(payload.project),
  };
  return parsed(event);
};

/** GitLab's public visibility level (0 private, 10 internal, 20 public). */
const PUBLIC_LEVEL = 20;

/** `projectPublic` when the hook tells the project's visibility; nothing when it does not. */
function visibilityOf(project: {
  visibility_level?: number | null | undefined;
  visibility?: string | null | undefined;
}): { projectPublic?: boolean } {
  if (typeof project.visibility_level === 'number') {
    return { projectPublic: project.visibility_level === PUBLIC_LEVEL };
  }
  if (typeof project.visibility === 'string') return { projectPublic: project.visibility === 'public' };
  return {};
}

/** The readiness fields GitLab sent (older GitLab sends only `work_in_progress`). */
function readinessOf(payload: z.output<typeof mergeRequestPayloadSchema>): MergeRequestReadiness {
  const a = payload.object_attributes;
  const draft = a.draft ?? a.work_in_progress ?? undefined;
  return {
    ...(draft !== undefined ? { draft } : {}),
    ...(a.detailed_merge_status ? { detailedMergeStatus: a.detailed_merge_status } : {}),
    ...(typeof a.blocking_discussions_resolved === 'boolean'
      ? { blockingDiscussionsResolved: a.blocking_discussions_resolved }
      : {}),
    ...(payload.assignees ? { assignees: payload.assignees.map((u) => u.username) } : {}),
  };
}
