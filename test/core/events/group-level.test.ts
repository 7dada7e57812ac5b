import { describe, expect, it } from 'vitest';
import { isGroupLevelWorkItem } from '../../../lib/core/events/group-level.js';
import { parseGitLabEvent } from '../../../lib/core/events/index.js';
import { fixtureWith, rejection } from './support.js';

/**
 * Group-level work items (epics, group issues) and comments on them carry no project: they are
 * ignored, never rejected, because GitLab counts 4xx answers toward disabling the hook.
 */
describe('group-level work items', () => {
  const issueHeaders = ['Issue Hook', 'Confidential Issue Hook'] as const;
  const noteHeaders = ['Note Hook', 'Confidential Note Hook'] as const;

  for (const header of issueHeaders) {
    it(`ignores a ${header} work item with project null or absent`, () => {
      for (const kind of ['issue', 'work_item']) {
        const withNull = fixtureWith('confidential-issue-labelled', ['project'], null) as Record<
          string,
          unknown
        >;
        withNull.object_kind = kind;
        const absent = fixtureWith('confidential-issue-labelled', ['project'], undefined) as Record<
          string,
          unknown
        >;
        absent.object_kind = kind;
        expect(parseGitLabEvent(header, withNull)).toEqual({
          status: 'ignored',
          reason: 'group-level work item (no project)',
        });
        expect(parseGitLabEvent(header, absent).status).toBe('ignored');
      }
    });
  }

  for (const header of noteHeaders) {
    it(`ignores a ${header} comment with project null or absent`, () => {
      expect(parseGitLabEvent(header, fixtureWith('note-on-merge-request', ['project'], null)).status).toBe(
        'ignored',
      );
      expect(
        parseGitLabEvent(header, fixtureWith('note-on-merge-request', ['project'], undefined)).status,
      ).toBe('ignored');
    });
  }

  it('still rejects a projectless body whose object_kind does not match its header', () => {
    const body = fixtureWith('note-on-merge-request', ['project'], null);
    expect(isGroupLevelWorkItem('Issue Hook', body)).toBe(false);
    expect(rejection('Issue Hook', body).field).toBe('object_kind');
  });

  it('is not fooled by non-objects or other headers', () => {
    expect(isGroupLevelWorkItem('Issue Hook', null)).toBe(false);
    expect(isGroupLevelWorkItem('Issue Hook', [{ object_kind: 'issue' }])).toBe(false);
    expect(isGroupLevelWorkItem('Merge Request Hook', { object_kind: 'merge_request' })).toBe(false);
    expect(isGroupLevelWorkItem('Issue Hook', { object_kind: 'issue', project: { id: 1 } })).toBe(false);
  });
});
