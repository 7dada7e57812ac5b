import { describe, expect, it } from 'vitest';
import { parseGitLabEvent } from '../../../lib/core/events/index.js';
import { fixtureWith, parsedEvent, parseFixture, rejection } from './support.js';

describe('note events', () => {
  it('reads a /secrel done command on the confidential release issue', () => {
    expect(parseFixture('note-secrel-done-request-cve')).toEqual({
      kind: 'note',
      projectId: 42,
      projectPath: 'acme/product',
      noteId: 8801,
      noteableType: 'Issue',
      noteableIid: 78,
      confidential: true,
      body: '/secrel done request-cve',
      url: 'https://gitlab.example.com/acme/product/-/issues/78#note_8801',
      createdAt: '2024-11-12T12:00:00.000Z',
      actor: 'sam.seclead',
      action: 'create',
      system: false,
    });
  });

  it('takes the iid of a merge request commented on from merge_request.iid', () => {
    expect(parseFixture('note-on-merge-request')).toMatchObject({
      noteableType: 'MergeRequest',
      noteableIid: 123,
      confidential: false,
      createdAt: '2024-11-12T11:00:00.000Z',
      actor: 'riley.rm',
    });
  });

  it('treats an internal note as confidential even under the plain header', () => {
    const body = fixtureWith('note-on-merge-request', ['object_attributes', 'internal'], true);
    expect(parsedEvent('Note Hook', body)).toMatchObject({ confidential: true });
  });

  it('ignores comments on things secrel does not follow, such as designs', () => {
    const body = fixtureWith(
      'note-on-merge-request',
      ['object_attributes', 'noteable_type'],
      'DesignManagement::Design',
    );
    expect(parseGitLabEvent('Note Hook', body)).toMatchObject({ status: 'ignored' });
  });

  it('rejects a note without its text, naming the field', () => {
    const body = fixtureWith('note-secrel-done-request-cve', ['object_attributes', 'note'], undefined);
    expect(rejection('Confidential Note Hook', body).message).toBe(
      'object_attributes.note: expected string, received nothing',
    );
  });

  it('rejects a note whose author has no username, naming the field', () => {
    const body = fixtureWith('note-secrel-done-request-cve', ['user', 'username'], 42);
    expect(rejection('Confidential Note Hook', body).message).toBe(
      'user.username: expected string, received number',
    );
  });
});
