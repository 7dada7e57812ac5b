import { describe, expect, it } from 'vitest';
import { parseGitLabEvent } from '../../../lib/core/events/index.js';
import { loadFixture } from '../../fixtures/gitlab/index.js';
import { fixtureWith, parsedEvent, parseFixture, rejection } from './support.js';

describe('issue events', () => {
  it('reads the release label being added to a confidential vulnerability issue', () => {
    expect(parseFixture('confidential-issue-labelled')).toEqual({
      kind: 'issue',
      projectId: 42,
      projectPath: 'acme/product',
      iid: 77,
      confidential: true,
      labels: ['security', 'critical security release'],
      state: 'opened',
      action: 'update',
      addedLabels: ['critical security release'],
      url: 'https://gitlab.example.com/acme/product/-/issues/77',
      updatedAt: '2024-11-12T09:30:00.000Z',
      actor: 'sam.seclead',
    });
  });

  it('reads a closed mitigation issue with no label change as adding no labels', () => {
    expect(parseFixture('mitigation-issue-closed')).toMatchObject({
      kind: 'issue',
      iid: 81,
      state: 'closed',
      action: 'close',
      confidential: true,
      addedLabels: [],
      updatedAt: '2024-11-13T15:45:12.345Z',
      actor: 'riley.rm',
    });
  });

  it('reads a public issue as not confidential', () => {
    expect(parseFixture('public-issue-opened')).toMatchObject({
      kind: 'issue',
      iid: 90,
      confidential: false,
      labels: ['bug'],
      addedLabels: ['bug'],
      updatedAt: '2024-11-12T11:00:00.000Z',
    });
  });

  it('treats an issue delivered under the confidential header as confidential even if the flag is missing', () => {
    const body = fixtureWith('public-issue-opened', ['object_attributes', 'confidential'], undefined);
    expect(parsedEvent('Confidential Issue Hook', body)).toMatchObject({ confidential: true });
  });

  it('ignores work items that are not issues, which GitLab sends under the same header', () => {
    const body = fixtureWith('public-issue-opened', ['object_kind'], 'work_item');
    expect(parseGitLabEvent('Issue Hook', body)).toEqual({
      status: 'ignored',
      reason: 'work item that is not an issue',
    });
  });

  it('rejects an issue whose iid is not a number, naming the field', () => {
    const error = rejection(
      'Issue Hook',
      fixtureWith('public-issue-opened', ['object_attributes', 'iid'], '90'),
    );
    expect(error.message).toBe('object_attributes.iid: expected number, received string');
  });

  it('rejects an issue whose project is not an object, naming the field', () => {
    // A missing or null project is a group-level work item and ignored (group-level.test.ts).
    const error = rejection(
      'Confidential Issue Hook',
      fixtureWith('confidential-issue-labelled', ['project'], 42),
    );
    expect(error.message).toBe('project: expected object, received number');
  });

  it('rejects an unknown issue state without quoting the payload', () => {
    const body = fixtureWith(
      'confidential-issue-labelled',
      ['object_attributes', 'state'],
      'Remote code execution',
    );
    const error = rejection('Confidential Issue Hook', body);
    expect(error.message).toBe('object_attributes.state: expected one of "opened", "closed"');
    expect(error.field).toBe('object_attributes.state');
  });

  it('rejects a label whose title is missing, naming the list position', () => {
    const body = loadFixture('confidential-issue-labelled') as { changes: { labels: { current: object[] } } };
    body.changes.labels.current[1] = { id: 9 };
    expect(rejection('Confidential Issue Hook', body).message).toBe(
      'changes.labels.current[1].title: expected string, received nothing',
    );
  });
});
