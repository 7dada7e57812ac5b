import { describe, expect, it } from 'vitest';
import { fixtureWith, parseFixture, rejection } from './support.js';

describe('release events', () => {
  it('reads a created GitLab release, timed by its creation when the delivery time is unknown', () => {
    expect(parseFixture('release-created')).toEqual({
      kind: 'release',
      projectId: 42,
      projectPath: 'acme/product',
      tag: 'v17.5.2',
      action: 'create',
      updatedAt: '2024-11-14T22:10:00.000Z',
    });
  });

  it('times a release event by the delivery when ingress gives the received time', () => {
    const event = parseFixture('release-created', { receivedAt: '2024-11-14T22:10:03.120Z' });
    expect(event.kind === 'release' && event.updatedAt).toBe('2024-11-14T22:10:03.120Z');
  });

  it('rejects a release without its tag, naming the field', () => {
    expect(rejection('Release Hook', fixtureWith('release-created', ['tag'], undefined)).message).toBe(
      'tag: expected string, received nothing',
    );
  });
});
