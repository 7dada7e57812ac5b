import * as z from 'zod';
import type { MergeRequestEvent } from '../types/events.js';
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
  project: projectSchema,
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
  }),
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
  };
  return parsed(event);
};
