import { describe, expect, it } from 'vitest';
import { fixtureWith, parsedEvent, parseFixture, rejection } from './support.js';

describe('tag push events', () => {
  it('reads a pushed release tag, timed by its newest commit when the delivery time is unknown', () => {
    expect(parseFixture('tag-push')).toEqual({
      kind: 'tag_push',
      projectId: 42,
      projectPath: 'acme/product',
      ref: 'refs/tags/v17.5.2',
      tag: 'v17.5.2',
      deleted: false,
      updatedAt: '2024-11-14T21:55:00.000Z',
    });
  });

  it('times a tag push by the delivery when ingress gives the received time', () => {
    expect(parseFixture('tag-push', { receivedAt: '2024-11-14T22:00:00.000Z' })).toMatchObject({
      updatedAt: '2024-11-14T22:00:00.000Z',
    });
  });

  it('reads a push that deleted the tag', () => {
    const body = fixtureWith('tag-push', ['after'], '0000000000000000000000000000000000000000');
    expect(parsedEvent('Tag Push Hook', body)).toMatchObject({ deleted: true });
  });

  it('does not reject a tag push because a commit carries an unreadable time', () => {
    const body = fixtureWith('tag-push', ['commits', 0, 'timestamp'], '2015-04-08T21: 00:25-07:00');
    expect(parsedEvent('Tag Push Hook', body)).toMatchObject({ updatedAt: '1970-01-01T00:00:00.000Z' });
  });

  it('rejects a tag push without a ref, naming the field', () => {
    expect(rejection('Tag Push Hook', fixtureWith('tag-push', ['ref'], undefined)).message).toBe(
      'ref: expected string, received nothing',
    );
  });
});
