import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFixture } from '../fixtures/gitlab/index.js';
import { gitlabHeaders, type IngressHarness, startIngressHarness } from './ingress-harness.js';

/**
 * Who may start a release, over HTTP with GitLab's headers and DynamoDB Local: the label starts one only
 * when the user who added it holds a start role (the security lead by default). Anyone else gets one
 * reply saying who may, and nothing is stored for the issue.
 */

type Json = Record<string, unknown>;

/** The labelled confidential issue, with the label added by `username`. */
function labelledBy(username: string, iid: number): string {
  const body = loadFixture('confidential-issue-labelled') as Json;
  body.user = { ...(body.user as Json), username };
  (body.object_attributes as Json).iid = iid;
  return JSON.stringify(body);
}

describe('a release label added by someone without a start role', () => {
  let h: IngressHarness;
  beforeAll(async () => {
    h = await startIngressHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  it('creates nothing and replies once with who may start a release', async () => {
    const before = await h.store.listReleases();
    const headers = gitlabHeaders('Confidential Issue Hook');
    // A developer (a configured role, but not one that starts releases) and a stranger.
    for (const [username, iid] of [
      ['dana.dev', 501],
      ['mallory', 502],
    ] as const) {
      const res = await h.post(labelledBy(username, iid), gitlabHeaders('Confidential Issue Hook'));
      expect(res.status, username).toBe(200);
      expect(await h.store.get(`42-${iid}`), username).toBeUndefined();
    }
    expect(await h.store.listReleases()).toEqual(before);
    expect(h.workflow.calls.filter((c) => c.call === 'start')).toEqual([]);
    const replies = h.effects.dispatched.filter((d) => d.effect.type === 'reply');
    expect(replies).toHaveLength(2);
    for (const { effect } of replies) {
      expect(effect.type === 'reply' && effect.body).toContain('only the security lead may start one');
    }
    // GitLab retrying the same delivery gets no second reply.
    const retried = labelledBy('mallory', 503);
    await h.post(retried, headers);
    await h.post(retried, headers);
    expect(h.effects.dispatched.filter((d) => d.effect.type === 'reply')).toHaveLength(3);
  });

  it('still starts a release when the security lead adds the label', async () => {
    const res = await h.post(labelledBy('sam.seclead', 504), gitlabHeaders('Confidential Issue Hook'));
    expect(res.status).toBe(200);
    expect((await h.store.get('42-504'))?.status).toBe('planning');
  });
});
