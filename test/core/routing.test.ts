import { describe, expect, it } from 'vitest';
import { apply } from '../../lib/core/release/apply.js';
import { eventRoutingKeys, releaseRoutingKeys, routingKeyChanges } from '../../lib/core/routing.js';
import type { ReleaseState } from '../../lib/core/types/release.js';
import {
  CONFIG,
  command,
  ctxAt,
  deploymentEvent,
  issueEvent,
  mrEvent,
  noteEvent,
  pipelineEvent,
  scheduledRelease,
} from './release-helpers.js';

describe('keys an event can be found by', () => {
  it('finds an issue event by its issue', () => {
    expect(eventRoutingKeys(issueEvent({ iid: 90 }))).toEqual(['issue:42:90']);
  });

  it('finds an MR event by the MR and by the issues its text references, not by its project', () => {
    expect(eventRoutingKeys(mrEvent({ iid: 5 }), CONFIG)).toEqual(['mr:42:5', 'issue:42:77']);
    expect(eventRoutingKeys(mrEvent({ iid: 6, description: 'Unrelated' }), CONFIG)).toEqual(['mr:42:6']);
    // Without the config the references cannot be resolved: the project key reaches every active release.
    expect(eventRoutingKeys(mrEvent({ iid: 5 }))).toEqual(['mr:42:5', 'project:42']);
  });

  it('finds a pipeline by its ref, by its MR for merge-request refs, and by SECREL_RELEASE_ID', () => {
    expect(eventRoutingKeys(pipelineEvent({ ref: 'security-fix' }))).toEqual(['ref:42:security-fix']);
    expect(eventRoutingKeys(pipelineEvent({ ref: 'refs/merge-requests/5/head' }))).toEqual([
      'ref:42:refs/merge-requests/5/head',
      'mr:42:5',
    ]);
    expect(
      eventRoutingKeys(pipelineEvent({ ref: 'main', variables: { SECREL_RELEASE_ID: '42-77' } })),
    ).toEqual(['ref:42:main', 'release:42-77']);
  });

  it('finds a comment by the issue it is on', () => {
    expect(eventRoutingKeys(noteEvent('/secrel status', { noteableIid: 78 }))).toEqual(['issue:42:78']);
    expect(eventRoutingKeys(noteEvent('hi', { noteableType: 'MergeRequest', noteableIid: 5 }))).toEqual([
      'mr:42:5',
    ]);
    expect(eventRoutingKeys(noteEvent('hi', { noteableType: 'Commit', noteableIid: undefined }))).toEqual([]);
  });

  it('finds a deployment that can prove a task by its project, and a review app by nothing', () => {
    expect(eventRoutingKeys(deploymentEvent())).toEqual(['project:42']);
    expect(eventRoutingKeys(deploymentEvent({ environment: 'review/feature-x' }))).toEqual([]);
  });
});

describe('keys a release owns', () => {
  it('owns its id, its issues, its MRs and their source branches, and the configured projects while active', () => {
    let state: ReleaseState = { ...scheduledRelease(), releaseIssue: { projectId: 42, iid: 78 } };
    state = apply(state, mrEvent({ iid: 5, sourceBranch: 'security-fix' }), ctxAt(10)).state;
    state = command(state, '/secrel mr acme/product-ee!12').state;
    expect(releaseRoutingKeys(state, CONFIG).sort()).toEqual(
      [
        'release:42-77',
        'issue:42:77',
        'issue:42:78',
        'mr:42:5',
        'ref:42:security-fix',
        'mr:43:12',
        'project:42',
        'project:43',
      ].sort(),
    );
  });

  it('gives up project keys once aborted, so new MRs of the project no longer reach it', () => {
    const aborted = { ...scheduledRelease(), status: 'aborted' as const };
    expect(releaseRoutingKeys(aborted, CONFIG).filter((k) => k.startsWith('project:'))).toEqual([]);
  });

  it('meets every key of an event that concerns it', () => {
    const state = apply(
      scheduledRelease(),
      mrEvent({ iid: 5, sourceBranch: 'security-fix' }),
      ctxAt(10),
    ).state;
    const owned = new Set(releaseRoutingKeys(state, CONFIG));
    const concerning = [
      issueEvent(),
      mrEvent({ iid: 5 }),
      pipelineEvent({ ref: 'security-fix' }),
      pipelineEvent({ ref: 'build', variables: { SECREL_RELEASE_ID: state.id } }),
      noteEvent('/secrel status'),
      deploymentEvent(),
    ];
    for (const event of concerning) {
      expect(
        eventRoutingKeys(event, CONFIG).some((k) => owned.has(k)),
        event.kind,
      ).toBe(true);
    }
  });
});

describe('keys a change adds and drops', () => {
  it('adds every key of a new release and drops none', () => {
    const state = scheduledRelease();
    expect(routingKeyChanges(undefined, state, CONFIG)).toEqual({
      added: releaseRoutingKeys(state, CONFIG),
      dropped: [],
    });
  });

  it('adds the key of an issue the change created, and keeps the rest', () => {
    const before = scheduledRelease();
    const after = { ...before, releaseIssue: { projectId: 42, iid: 78 } };
    expect(routingKeyChanges(before, after, CONFIG)).toEqual({ added: ['issue:42:78'], dropped: [] });
  });

  it('drops the project keys of a release that ends, and only those', () => {
    const before = scheduledRelease();
    for (const status of ['aborted', 'completed'] as const) {
      expect(routingKeyChanges(before, { ...before, status }, CONFIG)).toEqual({
        added: [],
        dropped: ['project:42', 'project:43'],
      });
    }
  });
});
