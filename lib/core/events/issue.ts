import * as z from 'zod';
import type { IssueEvent } from '../types/events.js';
import { type EventParser, ignored, parsed } from './outcome.js';
import { parsePayload } from './payload.js';
import { labelSchema, labelTitles, projectSchema, userSchema } from './shared.js';
import { gitlabTime } from './time.js';

/** `X-Gitlab-Event` of an issue event; confidential issues come only under the second. */
export const ISSUE_HEADERS = ['Issue Hook', 'Confidential Issue Hook'] as const;

const labelChangeSchema = z.looseObject({
  previous: z.array(labelSchema).nullish(),
  current: z.array(labelSchema).nullish(),
});

/** Issue Hook and Confidential Issue Hook payload: the fields secrel reads. */
export const issuePayloadSchema = z.looseObject({
  // Work items other than issues (tasks, epics) arrive under the same header as `work_item`.
  object_kind: z.enum(['issue', 'work_item']),
  event_type: z.string().nullish(),
  user: userSchema,
  project: projectSchema,
  object_attributes: z.looseObject({
    iid: z.number().int(),
    url: z.string(),
    state: z.enum(['opened', 'closed']),
    action: z.string().nullish(),
    confidential: z.boolean().nullish(),
    updated_at: gitlabTime,
    labels: z.array(labelSchema).nullish(),
  }),
  labels: z.array(labelSchema).nullish(),
  changes: z
    .looseObject({
      labels: labelChangeSchema.nullish(),
      description: z.looseObject({ previous: z.string().nullish(), current: z.string().nullish() }).nullish(),
    })
    .nullish(),
});

/** Parses an Issue Hook or Confidential Issue Hook body into an {@link IssueEvent}. */
export const parseIssueHook: EventParser = (eventHeader, body) => {
  const payload = parsePayload(issuePayloadSchema, eventHeader, body);
  if (payload.object_kind !== 'issue') return ignored('work item that is not an issue');
  const attributes = payload.object_attributes;
  const event: IssueEvent = {
    kind: 'issue',
    projectId: payload.project.id,
    projectPath: payload.project.path_with_namespace,
    iid: attributes.iid,
    // Any sign of confidentiality counts: treating a public issue as confidential is the safe mistake.
    confidential:
      attributes.confidential === true ||
      eventHeader === 'Confidential Issue Hook' ||
      payload.event_type === 'confidential_issue',
    labels: labelTitles(attributes.labels ?? payload.labels),
    state: attributes.state,
    action: attributes.action ?? undefined,
    addedLabels: addedLabels(payload.changes?.labels),
    url: attributes.url,
    updatedAt: attributes.updated_at,
    actor: payload.user.username,
    ...descriptionChangeOf(payload.changes?.description),
  };
  return parsed(event);
};

/** Labels in `changes.labels.current` that were not in `changes.labels.previous`. */
function addedLabels(change: z.output<typeof labelChangeSchema> | null | undefined): string[] {
  if (!change) return [];
  const before = new Set(labelTitles(change.previous));
  return labelTitles(change.current).filter((title) => !before.has(title));
}

/** `changes.description` as before/after text, when the event changed the description. */
function descriptionChangeOf(
  change: { previous?: string | null; current?: string | null } | null | undefined,
): Pick<IssueEvent, 'descriptionChange'> {
  if (!change) return {};
  return { descriptionChange: { previous: change.previous ?? '', current: change.current ?? '' } };
}
