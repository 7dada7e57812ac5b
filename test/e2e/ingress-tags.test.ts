import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PLAYBOOK } from '../../lib/core/default-playbook.js';
import { releaseRoutingKeys } from '../../lib/core/routing.js';
import { initialTaskStates } from '../../lib/core/tasks.js';
import { setStatus } from '../../lib/core/transitions.js';
import type { ReleaseState } from '../../lib/core/types/release.js';
import { loadFixture } from '../fixtures/gitlab/index.js';
import { gitlabHeaders, type IngressHarness, startIngressHarness } from './ingress-harness.js';

/**
 * Tags and GitLab releases as proof, over HTTP with GitLab's headers and DynamoDB Local: a tag of an
 * affected version's patch version pushed before the publish gate held proves nothing and warns
 * the security lead (embargo risk); once publication is under way, tags are recorded per version
 * and complete publish-code, whose pipeline gate then opens.
 */

type Json = Record<string, unknown>;
const RELEASE_ID = '42-77';
const VERSIONS = ['17.5', '17.4'];

function tagPush(tag: string): string {
  const body = loadFixture('tag-push') as Json;
  body.ref = `refs/tags/${tag}`;
  return JSON.stringify(body);
}

function gitlabRelease(tag: string): string {
  const body = loadFixture('release-created') as Json;
  body.tag = tag;
  return JSON.stringify(body);
}

describe('tags and GitLab releases of a release', () => {
  let h: IngressHarness;
  beforeAll(async () => {
    h = await startIngressHarness();
    const label = JSON.stringify(loadFixture('confidential-issue-labelled'));
    expect((await h.post(label, gitlabHeaders('Confidential Issue Hook'))).status).toBe(200);
    // Setup through the store, as the affected-versions command would leave it.
    const started = await h.store.get(RELEASE_ID);
    if (!started) throw new Error('test setup: the release did not start');
    await commit({
      ...started,
      versions: VERSIONS,
      tasks: initialTaskStates(DEFAULT_PLAYBOOK, VERSIONS),
      status: 'running',
      revision: started.revision + 1,
    });
  });
  afterAll(async () => {
    await h.close();
  });

  async function commit(state: ReleaseState): Promise<void> {
    await h.store.commit({ state, timeline: [], routingKeys: releaseRoutingKeys(state, h.deps.config) });
  }

  async function stored(): Promise<ReleaseState> {
    const state = await h.store.get(RELEASE_ID);
    if (!state) throw new Error('release vanished');
    return state;
  }

  it('a tag before the publish gate held proves nothing, is on the timeline and warns the lead', async () => {
    const before = await stored();
    const res = await h.post(tagPush('v17.5.3'), gitlabHeaders('Tag Push Hook'));
    expect(res.status).toBe(200);
    const after = await stored();
    expect(after.tags).toBeUndefined();
    expect(after.tasks['publish-code']?.status).toBe('open');
    expect(after.revision).toBe(before.revision + 1);
    const refused = (await h.store.timeline(RELEASE_ID)).filter((t) => t.kind === 'tag-refused');
    expect(refused.map((t) => t.summary)).toEqual([
      'tag v17.5.3 in acme/product seen before the publish gate held: not proof of publication; embargo risk',
    ]);
    const notices = h.effects.dispatched.filter((d) => d.effect.type === 'notify');
    expect(notices).toHaveLength(1);
    expect(notices[0]?.effect).toMatchObject({ roles: ['security lead', 'release managers'] });
  });

  it('once publication is under way, tags prove each version and complete publish-code', async () => {
    const running = await stored();
    const publishing = setStatus(running, 'publishing', {
      playbook: DEFAULT_PLAYBOOK,
      now: DateTime.utc(),
    }).state;
    await commit({
      ...publishing,
      gates: {
        ...publishing.gates,
        'pipeline:publish-code': {
          status: 'waiting',
          token: 'tok-publish-code',
          since: publishing.updatedAt,
        },
      },
    });

    const headers = gitlabHeaders('Tag Push Hook');
    expect((await h.post(tagPush('v17.5.3'), headers)).status).toBe(200);
    let state = await stored();
    expect(state.tags?.['17.5']).toMatchObject({ tag: 'v17.5.3', patchVersion: '17.5.3', source: 'tag' });
    expect(state.tasks['publish-code']?.status).toBe('open');

    // GitLab retrying the same delivery changes nothing.
    const revision = state.revision;
    await h.post(tagPush('v17.5.3'), headers);
    expect((await stored()).revision).toBe(revision);

    // A tag of a version that is not affected is answered and changes nothing.
    expect((await h.post(tagPush('v16.11.9'), gitlabHeaders('Tag Push Hook'))).status).toBe(200);
    expect((await stored()).revision).toBe(revision);

    expect((await h.post(gitlabRelease('17.4.8-ee'), gitlabHeaders('Release Hook'))).status).toBe(200);
    state = await stored();
    expect(state.tags?.['17.4']).toMatchObject({ patchVersion: '17.4.8', source: 'release' });
    expect(state.tasks['publish-code']).toMatchObject({ status: 'done', by: 'gitlab', via: 'signal' });
    expect(state.gates['pipeline:publish-code']?.status).toBe('open');
    expect(h.workflow.calls).toContainEqual({ call: 'sendTaskSuccess', token: 'tok-publish-code' });
    const kinds = (await h.store.timeline(RELEASE_ID)).map((t) => t.kind);
    expect(kinds.filter((k) => k === 'tag-seen')).toHaveLength(2);
    expect(kinds).toContain('task-done');
  });
});
