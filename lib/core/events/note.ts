import * as z from 'zod';
import type { NoteEvent } from '../types/events.js';
import { type EventParser, ignored, parsed } from './outcome.js';
import { parsePayload } from './payload.js';
import { projectSchema, userSchema } from './shared.js';
import { gitlabTime } from './time.js';

/** `X-Gitlab-Event` of a comment; comments on confidential issues come only under the second. */
export const NOTE_HEADERS = ['Note Hook', 'Confidential Note Hook'] as const;

const NOTEABLE_TYPES = ['Issue', 'MergeRequest', 'Commit', 'Snippet'] as const;

const noteableSchema = z
  .looseObject({ iid: z.number().int(), confidential: z.boolean().nullish() })
  .nullish();

/** Note Hook and Confidential Note Hook payload: the fields secrel reads. */
export const notePayloadSchema = z.looseObject({
  object_kind: z.literal('note'),
  event_type: z.string().nullish(),
  user: userSchema,
  project: projectSchema,
  object_attributes: z.looseObject({
    id: z.number().int(),
    note: z.string(),
    // Kept open: GitLab also comments on designs, epics, alerts…, which secrel ignores.
    noteable_type: z.string(),
    action: z.string().nullish(),
    system: z.boolean().nullish(),
    confidential: z.boolean().nullish(),
    internal: z.boolean().nullish(),
    url: z.string(),
    created_at: gitlabTime,
  }),
  issue: noteableSchema,
  merge_request: noteableSchema,
});

/** Parses a Note Hook or Confidential Note Hook body into a {@link NoteEvent}. */
export const parseNoteHook: EventParser = (eventHeader, body) => {
  const payload = parsePayload(notePayloadSchema, eventHeader, body);
  const attributes = payload.object_attributes;
  const noteableType = NOTEABLE_TYPES.find((type) => type === attributes.noteable_type);
  if (noteableType === undefined)
    return ignored('comment on something other than an issue, MR, commit or snippet');
  const event: NoteEvent = {
    kind: 'note',
    projectId: payload.project.id,
    projectPath: payload.project.path_with_namespace,
    noteId: attributes.id,
    noteableType,
    noteableIid: noteableIid(noteableType, payload.issue, payload.merge_request),
    // Any sign of confidentiality counts (internal notes, confidential issues, the header).
    confidential:
      eventHeader === 'Confidential Note Hook' ||
      payload.event_type === 'confidential_note' ||
      attributes.confidential === true ||
      attributes.internal === true ||
      payload.issue?.confidential === true,
    body: attributes.note,
    url: attributes.url,
    createdAt: attributes.created_at,
    actor: payload.user.username,
    action: attributes.action ?? undefined,
    system: attributes.system ?? false,
  };
  return parsed(event);
};

function noteableIid(
  type: NoteEvent['noteableType'],
  issue: z.output<typeof noteableSchema>,
  mergeRequest: z.output<typeof noteableSchema>,
): number | undefined {
  if (type === 'Issue') return issue?.iid;
  if (type === 'MergeRequest') return mergeRequest?.iid;
  return undefined;
}
