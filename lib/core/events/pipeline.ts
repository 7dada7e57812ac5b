import * as z from 'zod';
import type { PipelineEvent } from '../types/events.js';
import { type EventParser, parsed } from './outcome.js';
import { parsePayload } from './payload.js';
import { projectSchema, userSchema } from './shared.js';
import { gitlabTime } from './time.js';

/** `X-Gitlab-Event` of a pipeline event. */
export const PIPELINE_HEADER = 'Pipeline Hook';

/** Only secrel's own tags are kept: other CI variables may hold tokens that must not be stored. */
export const SECREL_VARIABLE_PREFIX = 'SECREL_';

/** Pipeline Hook payload: the fields secrel reads. */
export const pipelinePayloadSchema = z.looseObject({
  object_kind: z.literal('pipeline'),
  project: projectSchema,
  user: userSchema.nullish(),
  object_attributes: z.looseObject({
    id: z.number().int(),
    ref: z.string(),
    status: z.string(),
    source: z.string().nullish(),
    created_at: gitlabTime,
    finished_at: gitlabTime.nullish(),
    variables: z.array(z.looseObject({ key: z.string(), value: z.string().nullish() })).nullish(),
  }),
});

/** Parses a Pipeline Hook body into a {@link PipelineEvent}. */
export const parsePipelineHook: EventParser = (eventHeader, body) => {
  const payload = parsePayload(pipelinePayloadSchema, eventHeader, body);
  const attributes = payload.object_attributes;
  const variables: Record<string, string> = {};
  for (const { key, value } of attributes.variables ?? []) {
    if (key.startsWith(SECREL_VARIABLE_PREFIX) && typeof value === 'string') variables[key] = value;
  }
  const event: PipelineEvent = {
    kind: 'pipeline',
    projectId: payload.project.id,
    projectPath: payload.project.path_with_namespace,
    pipelineId: attributes.id,
    ref: attributes.ref,
    status: attributes.status,
    source: attributes.source ?? undefined,
    variables,
    updatedAt: attributes.finished_at ?? attributes.created_at,
    ...(payload.user ? { actor: payload.user.username } : {}),
  };
  return parsed(event);
};
