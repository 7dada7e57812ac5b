import { DEPLOYMENT_HEADER, parseDeploymentHook } from './deployment.js';
import { parseReleaseHook, RELEASE_HEADER } from './gitlab-release.js';
import { isGroupLevelWorkItem } from './group-level.js';
import { ISSUE_HEADERS, parseIssueHook } from './issue.js';
import { MERGE_REQUEST_HEADER, parseMergeRequestHook } from './merge-request.js';
import { NOTE_HEADERS, parseNoteHook } from './note.js';
import { type EventParser, ignored, type ParseContext, type ParseOutcome } from './outcome.js';
import { PIPELINE_HEADER, parsePipelineHook } from './pipeline.js';
import { parseTagPushHook, TAG_PUSH_HEADER } from './tag-push.js';

export { PayloadRejectedError } from './errors.js';
export type { EventParser, ParseContext, ParseOutcome } from './outcome.js';
export { SECREL_VARIABLE_PREFIX } from './pipeline.js';
export { toUtcIso } from './time.js';

/** The `X-Gitlab-Event` values secrel handles, each with its parser. Any other header is ignored. */
export const EVENT_HEADERS: Readonly<Record<string, EventParser>> = {
  [ISSUE_HEADERS[0]]: parseIssueHook,
  [ISSUE_HEADERS[1]]: parseIssueHook,
  [MERGE_REQUEST_HEADER]: parseMergeRequestHook,
  [PIPELINE_HEADER]: parsePipelineHook,
  [NOTE_HEADERS[0]]: parseNoteHook,
  [NOTE_HEADERS[1]]: parseNoteHook,
  [RELEASE_HEADER]: parseReleaseHook,
  [TAG_PUSH_HEADER]: parseTagPushHook,
  [DEPLOYMENT_HEADER]: parseDeploymentHook,
};

/**
 * Turns a webhook delivery into a normalized GitLab event. An event kind secrel does not handle is
 * `ignored` (ingress answers 202); a body that fails its kind's schema throws `PayloadRejectedError`
 * with a one-line reason naming the field (ingress answers 400 and does not record the delivery).
 */
export function parseGitLabEvent(
  eventHeader: string,
  body: unknown,
  context: ParseContext = {},
): ParseOutcome {
  const header = eventHeader.trim();
  const parser = Object.hasOwn(EVENT_HEADERS, header) ? EVENT_HEADERS[header] : undefined;
  if (parser === undefined) return ignored('event kind not handled');
  if (isGroupLevelWorkItem(header, body)) return ignored('group-level work item (no project)');
  return parser(header, body, context);
}
