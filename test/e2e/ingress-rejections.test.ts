import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFixtureText } from '../fixtures/gitlab/index.js';
import {
  gitlabHeaders,
  type IngressHarness,
  SIGNING_KEY,
  signed,
  startIngressHarness,
} from './ingress-harness.js';

/**
 * Refused deliveries: each answers its status code and leaves the table exactly as it was
 * (compared item by item), so a corrected resend is accepted.
 */

const MR = loadFixtureText('mr-opened-for-stable');

describe('refused webhook deliveries change nothing', () => {
  let h: IngressHarness;
  beforeAll(async () => {
    h = await startIngressHarness({ signingKeys: [SIGNING_KEY] });
    const body = loadFixtureText('confidential-issue-labelled');
    const res = await h.post(body, signed(gitlabHeaders('Confidential Issue Hook'), body));
    expect(res.status).toBe(200);
  });
  afterAll(async () => {
    await h.close();
  });

  async function refused(
    body: string,
    headers: Record<string, string>,
  ): Promise<{ status: number; json: unknown; unchanged: boolean }> {
    const before = await h.snapshot();
    const res = await h.post(body, headers);
    return { ...res, unchanged: JSON.stringify(await h.snapshot()) === JSON.stringify(before) };
  }

  it('answers 401 to a wrong secret token and says nothing about the secret', async () => {
    const res = await refused(MR, signed(gitlabHeaders('Merge Request Hook', { token: 'guess' }), MR));
    expect(res).toEqual({ status: 401, json: { status: 'unauthorized' }, unchanged: true });
  });

  it('answers 401 to a missing secret token', async () => {
    const { 'x-gitlab-token': _, ...headers } = signed(gitlabHeaders('Merge Request Hook'), MR);
    expect(await refused(MR, headers)).toMatchObject({ status: 401, unchanged: true });
  });

  it('answers 401 to a bad signature', async () => {
    const other = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;
    const res = await refused(MR, signed(gitlabHeaders('Merge Request Hook'), MR, other));
    expect(res).toEqual({ status: 401, json: { status: 'unauthorized' }, unchanged: true });
  });

  it('answers 401 to a signature over a different body', async () => {
    const headers = signed(gitlabHeaders('Merge Request Hook'), MR);
    expect(await refused(MR.replace('17.5', '17.6'), headers)).toMatchObject({
      status: 401,
      unchanged: true,
    });
  });

  it('answers 401 to a signature whose timestamp is more than five minutes old', async () => {
    const stale = Math.floor(Date.now() / 1000) - 6 * 60;
    const res = await refused(MR, signed(gitlabHeaders('Merge Request Hook'), MR, SIGNING_KEY, stale));
    expect(res).toMatchObject({ status: 401, unchanged: true });
  });

  it('answers 400 with a one-line reason to malformed JSON', async () => {
    const body = '{"object_kind": "merge_request",';
    const res = await refused(body, signed(gitlabHeaders('Merge Request Hook'), body));
    expect(res).toEqual({
      status: 400,
      json: { status: 'rejected', reason: 'body is not valid JSON' },
      unchanged: true,
    });
  });

  it('answers 400 naming the field to a payload that fails its schema, without quoting values', async () => {
    const broken = JSON.parse(MR) as { object_attributes: Record<string, unknown> };
    broken.object_attributes.iid = 'one-two-three';
    const body = JSON.stringify(broken);
    const res = await refused(body, signed(gitlabHeaders('Merge Request Hook'), body));
    expect(res).toMatchObject({ status: 400, unchanged: true });
    const reason = (res.json as { reason: string }).reason;
    expect(reason).toContain('object_attributes.iid');
    expect(reason).not.toContain('one-two-three');
    expect(reason).not.toContain('\n');
  });

  it('answers 413 to a 2 MiB body without reading it', async () => {
    const body = JSON.stringify({ object_kind: 'merge_request', padding: 'x'.repeat(2 * 1024 * 1024) });
    expect(await refused(body, signed(gitlabHeaders('Merge Request Hook'), body))).toMatchObject({
      status: 413,
      unchanged: true,
    });
  });

  it('answers 413 to a streamed body past 1 MiB that declared no length', async () => {
    const chunk = new Uint8Array(64 * 1024).fill(0x20);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 32; i++) controller.enqueue(chunk);
        controller.close();
      },
    });
    const before = await h.snapshot();
    const res = await fetch(`${h.server.url}/webhooks/gitlab`, {
      method: 'POST',
      headers: gitlabHeaders('Merge Request Hook'),
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(await h.snapshot()).toEqual(before);
  });

  it('answers 415 to a body that is not declared as JSON', async () => {
    const headers = { ...signed(gitlabHeaders('Merge Request Hook'), MR), 'content-type': 'text/plain' };
    expect(await refused(MR, headers)).toMatchObject({ status: 415, unchanged: true });
  });

  it('accepts the corrected resend of a delivery refused for its payload', async () => {
    const headers = gitlabHeaders('Merge Request Hook');
    const broken = MR.replace('"iid": 123', '"iid": "123"');
    expect((await h.post(broken, signed(headers, broken))).status).toBe(400);
    // Same Idempotency-Key: the refused delivery was not recorded as processed.
    expect(await h.post(MR, signed(headers, MR))).toEqual({ status: 200, json: { status: 'accepted' } });
    expect((await h.store.get('42-77'))?.mergeRequests['42!123']).toBeDefined();
  });
});

const SHARED = '/work/shared/fixtures/gitlab-webhooks';

/** The header GitLab sends each documented example with (from its SOURCES.md). */
const SHARED_HEADERS: Record<string, string> = {
  'deployment-hook.json': 'Deployment Hook',
  'issue-hook.json': 'Issue Hook',
  'merge-request-hook.json': 'Merge Request Hook',
  'note-on-issue-hook.json': 'Note Hook',
  'note-on-mr-hook.json': 'Note Hook',
  'pipeline-hook.json': 'Pipeline Hook',
  'release-hook.json': 'Release Hook',
  'tag-push-hook.json': 'Tag Push Hook',
};

describe.skipIf(!existsSync(SHARED))(
  "GitLab's documented webhook examples (skipped when /work/shared is absent)",
  () => {
    let h: IngressHarness;
    beforeAll(async () => {
      h = await startIngressHarness();
    });
    afterAll(async () => {
      await h.close();
    });

    it('accepts every documented payload with a 2xx', async () => {
      const files = readdirSync(SHARED).filter((name) => name.endsWith('.json'));
      expect(files.length).toBeGreaterThan(0);
      for (const name of files) {
        const header = SHARED_HEADERS[name];
        expect(header, `header known for ${name}`).toBeDefined();
        const res = await h.post(readFileSync(join(SHARED, name), 'utf8'), gitlabHeaders(header ?? ''));
        expect.soft(res.status, name).toBeGreaterThanOrEqual(200);
        expect.soft(res.status, name).toBeLessThan(300);
      }
    });
  },
);
