import { describe, expect, it } from 'vitest';
import { fixtureWith, parsedEvent, parseFixture, rejection } from './support.js';

describe('merge request events', () => {
  it('reads a security MR opened against a stable branch, keeping its description for references', () => {
    expect(parseFixture('mr-opened-for-stable')).toEqual({
      kind: 'merge_request',
      projectId: 42,
      projectPath: 'acme/product',
      iid: 123,
      state: 'opened',
      action: 'open',
      sourceBranch: 'security-importer-17-5',
      targetBranch: '17-5-stable',
      title: '[fake] Validate importer input (17.5)',
      description: 'Fixes acme/product#77 for 17.5.',
      url: 'https://gitlab.example.com/acme/product/-/merge_requests/123',
      updatedAt: '2024-11-12T10:15:00.000Z',
      actor: 'dana.dev',
      readiness: {
        draft: false,
        detailedMergeStatus: 'mergeable',
        blockingDiscussionsResolved: true,
        assignees: ['dana.dev'],
      },
      projectPublic: false,
    });
  });

  it('reads whether the MR’s project is public, from visibility_level 20 or visibility "public"', () => {
    const level = (value: unknown) =>
      fixtureWith('mr-opened-for-stable', ['project', 'visibility_level'], value);
    expect(parsedEvent('Merge Request Hook', level(20))).toMatchObject({ projectPublic: true });
    expect(parsedEvent('Merge Request Hook', level(10))).toMatchObject({ projectPublic: false });
    const named = fixtureWith('mr-opened-for-stable', ['project', 'visibility_level'], undefined) as {
      project: Record<string, unknown>;
    };
    expect(parsedEvent('Merge Request Hook', named)).not.toHaveProperty('projectPublic');
    named.project.visibility = 'public';
    expect(parsedEvent('Merge Request Hook', named)).toMatchObject({ projectPublic: true });
  });

  it('reads a merged backport with an empty description and a Rails-style time', () => {
    expect(parseFixture('mr-merged')).toMatchObject({
      iid: 124,
      state: 'merged',
      action: 'merge',
      targetBranch: '17-4-stable',
      description: '',
      updatedAt: '2024-11-13T08:05:30.000Z',
      actor: 'riley.rm',
    });
  });

  it('reads a locked merge request', () => {
    const body = fixtureWith('mr-opened-for-stable', ['object_attributes', 'state'], 'locked');
    expect(parsedEvent('Merge Request Hook', body)).toMatchObject({ state: 'locked' });
  });

  it('rejects a merge request without a target branch, naming the field', () => {
    const body = fixtureWith('mr-merged', ['object_attributes', 'target_branch'], undefined);
    expect(rejection('Merge Request Hook', body).message).toBe(
      'object_attributes.target_branch: expected string, received nothing',
    );
  });

  it('rejects a merge request state GitLab does not have', () => {
    const body = fixtureWith('mr-merged', ['object_attributes', 'state'], 'approved');
    expect(rejection('Merge Request Hook', body).message).toBe(
      'object_attributes.state: expected one of "opened", "closed", "merged", "locked"',
    );
  });

  it('rejects an updated_at that is not a time, without quoting it', () => {
    const body = fixtureWith('mr-merged', ['object_attributes', 'updated_at'], 'yesterday at noon');
    expect(rejection('Merge Request Hook', body).message).toBe(
      'object_attributes.updated_at: expected a timestamp',
    );
  });
});
