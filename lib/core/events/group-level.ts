import { ISSUE_HEADERS } from './issue.js';
import { NOTE_HEADERS } from './note.js';

/**
 * Group-level work items (epics, group issues) and comments on them arrive under the Issue and
 * Note headers with `project: null` or no `project` at all. secrel only acts on project events, so
 * such a delivery is acknowledged and ignored; answering 400 would count toward GitLab disabling
 * the hook (four failures in a row).
 */

const KINDS_BY_HEADER: Readonly<Record<string, readonly string[]>> = {
  [ISSUE_HEADERS[0]]: ['issue', 'work_item'],
  [ISSUE_HEADERS[1]]: ['issue', 'work_item'],
  [NOTE_HEADERS[0]]: ['note'],
  [NOTE_HEADERS[1]]: ['note'],
};

/**
 * True when `body` is an issue/work item or note event of the kind its header promises and names
 * no project. Anything else (a non-object, a kind mismatch) is left to the kind's own schema.
 */
export function isGroupLevelWorkItem(eventHeader: string, body: unknown): boolean {
  const kinds = Object.hasOwn(KINDS_BY_HEADER, eventHeader) ? KINDS_BY_HEADER[eventHeader] : undefined;
  if (kinds === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) return false;
  const record = body as Record<string, unknown>;
  const kind = record.object_kind;
  if (typeof kind !== 'string' || !kinds.includes(kind)) return false;
  return !Object.hasOwn(record, 'project') || record.project === null || record.project === undefined;
}
