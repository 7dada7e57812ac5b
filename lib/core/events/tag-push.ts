import * as z from 'zod';
import type { TagPushEvent } from '../types/events.js';
import { type EventParser, parsed } from './outcome.js';
import { parsePayload } from './payload.js';
import { projectSchema } from './shared.js';
import { toUtcIso } from './time.js';

/** `X-Gitlab-Event` of a tag push. */
export const TAG_PUSH_HEADER = 'Tag Push Hook';

/** `after` of a push that deleted the tag. */
const NO_COMMIT = /^0+$/;

/** Orders before anything stored, so a tag push without any time can never roll state back. */
const EPOCH = '1970-01-01T00:00:00.000Z';

/** Tag Push Hook payload: the fields secrel reads. */
export const tagPushPayloadSchema = z.looseObject({
  object_kind: z.literal('tag_push'),
  project: projectSchema,
  ref: z.string(),
  after: z.string().nullish(),
  // Commit times are read leniently: an odd one must not reject the push.
  commits: z.array(z.looseObject({ timestamp: z.string().nullish() })).nullish(),
});

/**
 * Parses a Tag Push Hook body into a {@link TagPushEvent}. The payload has no push time, so
 * `updatedAt` is the delivery's `receivedAt` when known, else the newest commit's time.
 */
export const parseTagPushHook: EventParser = (eventHeader, body, context) => {
  const payload = parsePayload(tagPushPayloadSchema, eventHeader, body);
  const event: TagPushEvent = {
    kind: 'tag_push',
    projectId: payload.project.id,
    projectPath: payload.project.path_with_namespace,
    ref: payload.ref,
    tag: payload.ref.replace(/^refs\/tags\//, ''),
    deleted: NO_COMMIT.test(payload.after ?? ''),
    updatedAt: context.receivedAt ?? newestCommitTime(payload.commits) ?? EPOCH,
  };
  return parsed(event);
};

function newestCommitTime(
  commits: readonly { readonly timestamp?: string | null }[] | null | undefined,
): string | undefined {
  const times = (commits ?? []).flatMap((commit) => {
    const time = commit.timestamp ? toUtcIso(commit.timestamp) : undefined;
    return time ? [time] : [];
  });
  return times.sort().at(-1);
}
