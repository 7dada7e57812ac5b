import * as z from 'zod';
import type { DeploymentEvent } from '../types/events.js';
import { type EventParser, parsed } from './outcome.js';
import { parsePayload } from './payload.js';
import { projectSchema } from './shared.js';
import { gitlabTime } from './time.js';

/** `X-Gitlab-Event` of a deployment event. */
export const DEPLOYMENT_HEADER = 'Deployment Hook';

/** Deployment Hook payload: the fields secrel reads. */
export const deploymentPayloadSchema = z.looseObject({
  object_kind: z.literal('deployment'),
  project: projectSchema,
  deployment_id: z.number().int(),
  status: z.string(),
  status_changed_at: gitlabTime,
  environment: z.string(),
  // Sent by newer GitLab only; the documented example has none.
  ref: z.string().nullish(),
});

/** Parses a Deployment Hook body into a {@link DeploymentEvent}. */
export const parseDeploymentHook: EventParser = (eventHeader, body) => {
  const payload = parsePayload(deploymentPayloadSchema, eventHeader, body);
  const event: DeploymentEvent = {
    kind: 'deployment',
    projectId: payload.project.id,
    projectPath: payload.project.path_with_namespace,
    deploymentId: payload.deployment_id,
    environment: payload.environment,
    status: payload.status,
    ref: payload.ref ?? undefined,
    updatedAt: payload.status_changed_at,
  };
  return parsed(event);
};
