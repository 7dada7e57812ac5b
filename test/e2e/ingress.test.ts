import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PLAYBOOK } from '../../lib/core/default-playbook.js';
import { recordStartedPipeline } from '../../lib/core/pipeline-provenance.js';
import { recordGateToken, settle } from '../../lib/core/transitions.js';
import { withRevisionRetry } from '../../lib/services/release-writer.js';
import {
  FIXTURE_HEADERS,
  FIXTURE_NAMES,
  type FixtureName,
  loadFixture,
  loadFixtureText,
} from '../fixtures/gitlab/index.js';
import { gitlabHeaders, type IngressHarness, startIngressHarness } from './ingress-harness.js';

/**
 * Webhook ingress end to end: the local HTTP server on 127.0.0.1, real DynamoDB Local, GitLab's
 * headers. The release starts from the labelled vulnerability issue #77 of `acme/product`.
 */

const RELEASE = '42-77';

type Json = Record<string, unknown>;

function attrs(body: unknown): Json {
  return (body as { object_attributes: Json }).object_attributes;
}

/** A fixture's body with changes applied to a fresh copy. */
function variant(name: FixtureName, change: (body: Json) => void): string {
  const body = loadFixture(name) as Json;
  change(body);
  return JSON.stringify(body);
}

/** A `/secrel` command on the vulnerability issue by the security lead. */
function command(note: string, noteId: number): string {
  return variant('note-secrel-done-request-cve', (body) => {
    attrs(body).note = note;
    attrs(body).id = noteId;
    (body.issue as Json).iid = 77;
  });
}

async function startRelease(h: IngressHarness): Promise<void> {
  const res = await h.post(
    loadFixtureText('confidential-issue-labelled'),
    gitlabHeaders('Confidential Issue Hook'),
  );
  expect(res).toEqual({ status: 200, json: { status: 'accepted' } });
}

/** The project the example config runs package pipelines in. */
const OMNIBUS = { id: 4242, path: 'acme/omnibus' } as const;

describe('webhook ingress over HTTP', () => {
  let h: IngressHarness;
  beforeAll(async () => {
    h = await startIngressHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  it('starts a release from the labelled confidential issue and starts its state machine once', async () => {
    await startRelease(h);
    const state = await h.store.get(RELEASE);
    expect(state?.status).toBe('planning');
    expect(state?.vulnerabilityIssue).toMatchObject({ projectId: 42, iid: 77 });
    expect(h.workflow.calls).toEqual([{ call: 'start', releaseId: RELEASE, input: { releaseId: RELEASE } }]);
    // A re-label (a new delivery of the same kind) cannot start a second release.
    await startRelease(h);
    expect((await h.store.listReleases()).map((r) => r.id)).toEqual([RELEASE]);
    expect(h.workflow.calls.filter((c) => c.call === 'start')).toHaveLength(1);
  });

  it('accepts every own fixture and records what each one says about the release', async () => {
    for (const name of FIXTURE_NAMES) {
      const res = await h.post(loadFixtureText(name), gitlabHeaders(FIXTURE_HEADERS[name]));
      expect.soft(res.status, name).toBe(200);
    }
    const state = await h.store.get(RELEASE);
    expect(state?.mergeRequests['42!123']).toMatchObject({ version: '17.5', state: 'opened' });
    // MR !124 references neither the vulnerability nor the release issue, so it is not the release's.
    expect(state?.mergeRequests['42!124']).toBeUndefined();
    expect(state?.deployments.staging).toMatchObject({ deploymentId: 3301 });
    // The public, unrelated issue started nothing.
    expect((await h.store.listReleases()).map((r) => r.id)).toEqual([RELEASE]);
  });

  it('opens a waiting gate by sending the stored task token once the pipeline behind it succeeds', async () => {
    expect(
      (await h.post(command('/secrel versions 17.5', 91001), gitlabHeaders('Confidential Note Hook'))).status,
    ).toBe(200);
    expect((await h.store.get(RELEASE))?.versions).toEqual(['17.5']);
    const ctx = { playbook: DEFAULT_PLAYBOOK, now: DateTime.utc() };
    // What the action does when it starts the pipeline on the configured target (acme/omnibus).
    const started = { projectId: OMNIBUS.id, pipelineId: 5601, ref: '17-5-stable' };
    await withRevisionRetry(h.store, RELEASE, (state) => {
      const change = state && recordStartedPipeline(state, 'build-packages@17.5', started, ctx);
      const applied = state && change && settle(state, { ...change, effects: [] }, ctx, 'secrel');
      return applied?.changed ? { state: applied.state, timeline: applied.timeline } : undefined;
    });
    // What the gate function does when the state machine reaches the gate.
    await withRevisionRetry(h.store, RELEASE, (state) => {
      const applied =
        state && recordGateToken(state, 'pipeline:build-packages@17.5', 'token-build-17.5', ctx);
      return applied?.changed ? { state: applied.state, timeline: applied.timeline } : undefined;
    });
    const res = await h.post(
      variant('pipeline-secrel-build-packages', (body) => {
        attrs(body).id = 5601;
        body.project = { ...(body.project as object), id: OMNIBUS.id, path_with_namespace: OMNIBUS.path };
      }),
      gitlabHeaders('Pipeline Hook'),
    );
    expect(res.status).toBe(200);
    expect(h.workflow.calls).toContainEqual({ call: 'sendTaskSuccess', token: 'token-build-17.5' });
    expect((await h.store.get(RELEASE))?.gates['pipeline:build-packages@17.5']?.status).toBe('open');
  });

  it('answers 202 and records nothing for an event kind secrel does not handle', async () => {
    const before = await h.snapshot();
    const res = await h.post('{"object_kind":"push"}', gitlabHeaders('Push Hook'));
    expect(res).toEqual({ status: 202, json: { status: 'ignored' } });
    expect(await h.snapshot()).toEqual(before);
  });

  it('serves the release API the dashboard reads', async () => {
    const list = (await (await fetch(`${h.server.url}/api/releases`)).json()) as {
      releases: { id: string }[];
    };
    expect(list.releases.map((r) => r.id)).toEqual([RELEASE]);
    const one = await fetch(`${h.server.url}/api/releases/${RELEASE}`);
    expect(one.status).toBe(200);
    expect(((await one.json()) as { timeline: unknown[] }).timeline.length).toBeGreaterThan(0);
    expect((await fetch(`${h.server.url}/api/releases/42-999`)).status).toBe(404);
    expect(await (await fetch(`${h.server.url}/healthz`)).json()).toEqual({ status: 'ok' });
  });
});

describe('each delivery counts once', () => {
  let h: IngressHarness;
  beforeAll(async () => {
    h = await startIngressHarness();
    await startRelease(h);
  });
  afterAll(async () => {
    await h.close();
  });

  const mrOpened = (iid: number, updatedAt: string, state = 'opened') =>
    variant('mr-opened-for-stable', (body) => {
      Object.assign(attrs(body), { iid, id: 70000 + iid, updated_at: updatedAt, state });
    });

  it('answers a resend of the same delivery as a duplicate and changes the release once', async () => {
    const headers = gitlabHeaders('Merge Request Hook');
    const body = mrOpened(201, '2024-11-12T11:00:00Z');
    const before = await h.store.get(RELEASE);
    expect(await h.post(body, headers)).toEqual({ status: 200, json: { status: 'accepted' } });
    expect(await h.post(body, headers)).toEqual({ status: 200, json: { status: 'duplicate' } });
    const after = await h.store.get(RELEASE);
    expect(after?.revision).toBe((before?.revision ?? 0) + 1);
  });

  it('takes 20 concurrent copies of one delivery as exactly one state change and one timeline entry', async () => {
    const headers = gitlabHeaders('Merge Request Hook');
    const body = mrOpened(202, '2024-11-12T11:05:00Z');
    const before = await h.store.get(RELEASE);
    const timelineBefore = await h.store.timeline(RELEASE);
    const answers = await Promise.all(Array.from({ length: 20 }, () => h.post(body, headers)));
    const statuses = answers.map((a) => (a.json as { status: string }).status);
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(statuses.filter((s) => s === 'accepted')).toHaveLength(1);
    expect(statuses.filter((s) => s === 'duplicate')).toHaveLength(19);
    expect((await h.store.get(RELEASE))?.revision).toBe((before?.revision ?? 0) + 1);
    const added = (await h.store.timeline(RELEASE)).slice(timelineBefore.length);
    expect(added).toHaveLength(1);
  });

  it('ends in the newest state when merge request updates arrive out of order', async () => {
    const newest = mrOpened(203, '2024-11-13T09:00:00Z', 'merged');
    const older = mrOpened(203, '2024-11-12T12:00:00Z', 'opened');
    expect((await h.post(newest, gitlabHeaders('Merge Request Hook'))).status).toBe(200);
    expect((await h.post(older, gitlabHeaders('Merge Request Hook'))).status).toBe(200);
    expect((await h.store.get(RELEASE))?.mergeRequests['42!203']).toMatchObject({
      state: 'merged',
      updatedAt: '2024-11-13T09:00:00.000Z',
    });
  });

  it('recognises a resend of an event that concerns no release', async () => {
    const headers = gitlabHeaders('Issue Hook');
    const body = loadFixtureText('public-issue-opened');
    expect(await h.post(body, headers)).toEqual({ status: 200, json: { status: 'accepted' } });
    expect(await h.post(body, headers)).toEqual({ status: 200, json: { status: 'duplicate' } });
    expect(await h.store.hasDelivery(`idempotency-key:${headers['idempotency-key']}`)).toBe(true);
  });

  it('falls back to the body hash when GitLab sends no delivery ids', async () => {
    const { 'idempotency-key': _a, 'x-gitlab-event-uuid': _b, ...bare } = gitlabHeaders('Merge Request Hook');
    const body = mrOpened(204, '2024-11-12T13:00:00Z');
    expect((await h.post(body, bare)).json).toEqual({ status: 'accepted' });
    expect((await h.post(body, { ...bare, 'x-gitlab-webhook-uuid': randomUUID() })).json).toEqual({
      status: 'duplicate',
    });
  });
});
