import * as z from 'zod';
import type { ReleaseHookEvent } from '../types/events.js';
import { type EventParser, parsed } from './outcome.js';
import { parsePayload } from './payload.js';
import { projectSchema } from './shared.js';
import { gitlabTime } from './time.js';

/** `X-Gitlab-Event` of a GitLab release event. */
export const RELEASE_HEADER = 'Release Hook';

/** Release Hook payload: the fields secrel reads. */
export const releasePayloadSchema = z.looseObject({
  object_kind: z.literal('release'),
  project: projectSchema,
  tag: z.string(),
  action: z.string(),
  created_at: gitlabTime,
});

/**
 * Parses a Release Hook body into a {@link ReleaseHookEvent}. The payload has no update time, so
 * `updatedAt` is the delivery's `receivedAt` when known, else the release's `created_at`.
 */
export const parseReleaseHook: EventParser = (eventHeader, body, context) => {
  const payload = parsePayload(releasePayloadSchema, eventHeader, body);
  const event: ReleaseHookEvent = {
    kind: 'release',
    projectId: payload.project.id,
    projectPath: payload.project.path_with_namespace,
    tag: payload.tag,
    action: payload.action,
    updatedAt: context.receivedAt ?? payload.created_at,
  };
  return parsed(event);
};
