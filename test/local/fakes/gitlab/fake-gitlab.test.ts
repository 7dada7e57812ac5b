import { createHmac } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GitLabClient } from '../../../../lib/adapters/gitlab/client.js';
import {
  type FakeGitLab,
  type FakeGitLabOptions,
  startFakeGitLab,
} from '../../../../lib/local/fakes/gitlab/fake-gitlab.js';
import { pipelineHook } from '../../../../lib/local/fakes/gitlab/pipeline-payloads.js';
import { type Receiver, startReceiver } from '../receiver.js';

const PROJECT = { id: 7, path: 'security/product', defaultBranch: 'main' };
const SECRET = 'webhook-secret-for-tests';

let receiver: Receiver;
let gitlab: FakeGitLab | undefined;

beforeEach(async () => {
  receiver = await startReceiver();
});
afterEach(async () => {
  await gitlab?.close();
  gitlab = undefined;
  await receiver.close();
});

async function fakeGitLab(options: FakeGitLabOptions = {}): Promise<FakeGitLab> {
  gitlab = await startFakeGitLab({
    projects: [PROJECT],
    webhookUrl: receiver.url,
    webhookSecret: SECRET,
    ...options,
  });
  return gitlab;
}

function clientFor(fake: FakeGitLab): GitLabClient {
  return new GitLabClient({ host: fake.url, token: fake.token });
}

function bodyOf(index: number): Record<string, unknown> {
  const received = receiver.received[index];
  if (!received) throw new Error(`receiver got no request #${index}`);
  return JSON.parse(received.body) as Record<string, unknown>;
}

describe('fake GitLab sending webhooks like GitLab', () => {
  it('sends GitLab delivery headers with the secret token and a stable idempotency key', async () => {
    const fake = await fakeGitLab();
    const hook = pipelineHook({ project: PROJECT, pipelineId: 3, ref: 'main', status: 'success' });

    const first = await fake.deliver(hook);
    await fake.deliver(hook, { idempotencyKey: first.idempotencyKey });

    expect(first.status).toBe(200);
    const [sent, resent] = receiver.received;
    expect(sent?.method).toBe('POST');
    expect(sent?.path).toBe('/webhooks/gitlab');
    expect(sent?.headers).toMatchObject({
      'content-type': 'application/json',
      'x-gitlab-event': 'Pipeline Hook',
      'x-gitlab-token': SECRET,
      'x-gitlab-instance': fake.url,
      'idempotency-key': first.idempotencyKey,
      'x-gitlab-event-uuid': first.eventUuid,
    });
    expect(sent?.headers['user-agent']).toMatch(/^GitLab\/18\.\d+/);
    expect(sent?.headers['x-gitlab-webhook-uuid']).toMatch(/^[0-9a-f-]{36}$/);
    expect(resent?.headers['idempotency-key']).toBe(first.idempotencyKey);
    expect(resent?.headers['x-gitlab-webhook-uuid']).not.toBe(sent?.headers['x-gitlab-webhook-uuid']);
  });

  it('can send a delivery with a wrong or missing secret, to prove secrel refuses it', async () => {
    const fake = await fakeGitLab();
    const hook = pipelineHook({ project: PROJECT, pipelineId: 3, ref: 'main', status: 'success' });

    await fake.deliver(hook, { secret: 'guess' });
    await fake.deliver(hook, { secret: null });

    expect(receiver.received[0]?.headers['x-gitlab-token']).toBe('guess');
    expect(receiver.received[1]?.headers['x-gitlab-token']).toBeUndefined();
  });

  it('signs deliveries the Standard Webhooks way when a signing key is set', async () => {
    const key = Buffer.from('0123456789abcdef0123456789abcdef').toString('base64');
    const fake = await fakeGitLab({ signingKey: `whsec_${key}` });

    const delivery = await fake.deliver(
      pipelineHook({ project: PROJECT, pipelineId: 3, ref: 'main', status: 'failed' }),
    );

    const got = receiver.received[0];
    const id = String(got?.headers['webhook-id']);
    const timestamp = String(got?.headers['webhook-timestamp']);
    const expected = createHmac('sha256', Buffer.from(key, 'base64'))
      .update(`${id}.${timestamp}.${got?.body}`)
      .digest('base64');
    expect(id).toBe(delivery.idempotencyKey);
    expect(got?.headers['webhook-signature']).toBe(`v1,${expected}`);
  });

  it('records a delivery to an unreachable receiver with status 0 instead of throwing', async () => {
    const fake = await fakeGitLab();
    await receiver.close();

    const delivery = await fake.deliver(
      pipelineHook({ project: PROJECT, pipelineId: 1, ref: 'main', status: 'success' }),
    );

    expect(delivery.status).toBe(0);
    expect(fake.deliveries).toHaveLength(1);
    receiver = await startReceiver();
  });
});

describe('fake GitLab completing the pipelines secrel starts', () => {
  const variables = { SECREL_RELEASE_ID: '7-1', SECREL_ACTION: 'publish-packages', SECREL_VERSION: '17.5' };

  it('reports a pipeline as succeeded with its variables when told to complete pipelines', async () => {
    const fake = await fakeGitLab({ autoCompletePipelines: 'success' });

    const { id } = await clientFor(fake).createPipeline(PROJECT.id, '17-5-stable', variables);
    await fake.settled();

    expect(receiver.received).toHaveLength(1);
    expect(receiver.received[0]?.headers['x-gitlab-event']).toBe('Pipeline Hook');
    expect(bodyOf(0)).toMatchObject({
      object_kind: 'pipeline',
      object_attributes: {
        id,
        ref: '17-5-stable',
        status: 'success',
        source: 'api',
        variables: [
          { key: 'SECREL_RELEASE_ID', value: '7-1' },
          { key: 'SECREL_ACTION', value: 'publish-packages' },
          { key: 'SECREL_VERSION', value: '17.5' },
        ],
      },
      project: { id: PROJECT.id, path_with_namespace: PROJECT.path },
    });
    expect(fake.pipelines[0]?.status).toBe('success');
  });

  it('fails the first attempts of the same action and version, then succeeds', async () => {
    const fake = await fakeGitLab({ autoCompletePipelines: { failFirst: 2 } });
    const client = clientFor(fake);

    for (let attempt = 0; attempt < 3; attempt += 1)
      await client.createPipeline(PROJECT.id, '17-5-stable', variables);
    await client.createPipeline(PROJECT.id, '17-4-stable', { ...variables, SECREL_VERSION: '17.4' });
    await fake.settled();

    expect(fake.pipelines.map((p) => [p.ref, p.status])).toEqual([
      ['17-5-stable', 'failed'],
      ['17-5-stable', 'failed'],
      ['17-5-stable', 'success'],
      ['17-4-stable', 'failed'],
    ]);
    expect(receiver.received).toHaveLength(4);
  });

  it('asks a policy function how each pipeline ends', async () => {
    const fake = await fakeGitLab({
      autoCompletePipelines: (pipeline) =>
        pipeline.variables.SECREL_ACTION === 'publish-docker' ? 'failed' : 'success',
    });
    const client = clientFor(fake);

    await client.createPipeline(PROJECT.id, 'main', { SECREL_ACTION: 'publish-docker' });
    await client.createPipeline(PROJECT.id, 'main', { SECREL_ACTION: 'publish-code' });
    await fake.settled();

    expect(fake.pipelines.map((p) => p.status)).toEqual(['failed', 'success']);
  });

  it('leaves pipelines running when completion is manual, until the test completes one', async () => {
    const fake = await fakeGitLab();
    const { id } = await clientFor(fake).createPipeline(PROJECT.id, 'main', variables);
    await fake.settled();
    expect(receiver.received).toHaveLength(0);

    await fake.completePipeline(id, 'failed');

    expect(bodyOf(0)).toMatchObject({ object_attributes: { id, status: 'failed' } });
  });
});

describe('fake GitLab answering the API', () => {
  it('refuses a call without the right PRIVATE-TOKEN, and records it', async () => {
    const fake = await fakeGitLab();

    const res = await fetch(`${fake.url}/api/v4/projects/7/issues`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'private-token': 'nope' },
      body: JSON.stringify({ title: 'x' }),
    });

    expect(res.status).toBe(401);
    expect(fake.calls).toHaveLength(1);
    expect(fake.issues).toHaveLength(0);
  });

  it('answers an unknown route with 404', async () => {
    const fake = await fakeGitLab();

    const res = await fetch(`${fake.url}/api/v4/projects/7/releases`, {
      headers: { 'private-token': fake.token },
    });

    expect(res.status).toBe(404);
  });

  it('sends Issue Hooks for issue edits when asked: lifting confidentiality and closing', async () => {
    const fake = await fakeGitLab({ issueHooks: true });
    const client = clientFor(fake);
    const { iid } = await client.createIssue(PROJECT.id, {
      title: 'Vuln',
      description: 'd',
      confidential: true,
    });
    await fake.settled();

    await client.editIssue(PROJECT.id, iid, { confidential: false });
    await client.editIssue(PROJECT.id, iid, { stateEvent: 'close' });
    await fake.settled();

    expect(receiver.received.map((r) => r.headers['x-gitlab-event'])).toEqual([
      'Confidential Issue Hook',
      'Issue Hook',
      'Issue Hook',
    ]);
    expect(bodyOf(1)).toMatchObject({
      object_attributes: { iid, action: 'update', confidential: false },
      changes: { confidential: { previous: true, current: false } },
    });
    expect(bodyOf(2)).toMatchObject({ object_attributes: { iid, action: 'close', state: 'closed' } });
  });

  it('sends no hooks for API calls unless asked', async () => {
    const fake = await fakeGitLab();
    const client = clientFor(fake);
    const { iid } = await client.createIssue(PROJECT.id, {
      title: 'Vuln',
      description: '',
      confidential: true,
    });

    await client.editIssue(PROJECT.id, iid, { confidential: false });
    await client.createIssueNote(PROJECT.id, iid, 'hello');
    await fake.settled();

    expect(receiver.received).toHaveLength(0);
  });

  it('forgets issues, calls and deliveries on reset and numbers again from 1', async () => {
    const fake = await fakeGitLab({ autoCompletePipelines: 'success' });
    const client = clientFor(fake);
    await client.createIssue(PROJECT.id, { title: 'A', description: '', confidential: true });
    await client.createPipeline(PROJECT.id, 'main', {});
    await fake.settled();

    fake.reset();
    const again = await client.createIssue(PROJECT.id, { title: 'B', description: '', confidential: true });

    expect(again.iid).toBe(1);
    expect(fake.issues).toHaveLength(1);
    expect(fake.calls).toHaveLength(1);
    expect(fake.deliveries).toHaveLength(0);
    expect(fake.pipelines).toHaveLength(0);
  });
});

describe('fake GitLab playing the people of the release', () => {
  it('labels a reporter issue and sends the Confidential Issue Hook with the label change', async () => {
    const fake = await fakeGitLab();
    const issue = fake.openIssue({ title: 'XSS in markdown', labels: ['security'] });

    await fake.labelIssue(PROJECT.id, issue.iid, 'critical security release', 'sec-lead');

    expect(receiver.received[0]?.headers['x-gitlab-event']).toBe('Confidential Issue Hook');
    expect(bodyOf(0)).toMatchObject({
      event_type: 'confidential_issue',
      user: { username: 'sec-lead' },
      object_attributes: { iid: issue.iid, confidential: true, action: 'update' },
      changes: {
        labels: {
          previous: [{ title: 'security' }],
          current: [{ title: 'security' }, { title: 'critical security release' }],
        },
      },
    });
  });

  it('opens and merges a security MR referencing the vulnerability issue', async () => {
    const fake = await fakeGitLab();

    const { mergeRequest } = await fake.openMergeRequest({
      sourceBranch: 'security-fix-17-5',
      targetBranch: '17-5-stable',
      title: 'Fix XSS',
      description: 'Closes security/product#1',
    });
    await fake.mergeMergeRequest(PROJECT.id, mergeRequest.iid);

    expect(receiver.received.map((r) => r.headers['x-gitlab-event'])).toEqual([
      'Merge Request Hook',
      'Merge Request Hook',
    ]);
    expect(bodyOf(0)).toMatchObject({ object_attributes: { action: 'open', state: 'opened' } });
    expect(bodyOf(1)).toMatchObject({
      object_attributes: {
        iid: mergeRequest.iid,
        action: 'merge',
        state: 'merged',
        target_branch: '17-5-stable',
        description: 'Closes security/product#1',
      },
    });
  });

  it('comments a /secrel command on the confidential release issue', async () => {
    const fake = await fakeGitLab();
    const issue = fake.openIssue({ title: 'Release issue' });

    await fake.comment(PROJECT.id, issue.iid, '/secrel done validate-fixes', 'alice');

    expect(receiver.received[0]?.headers['x-gitlab-event']).toBe('Confidential Note Hook');
    expect(bodyOf(0)).toMatchObject({
      object_kind: 'note',
      user: { username: 'alice' },
      object_attributes: { note: '/secrel done validate-fixes', noteable_type: 'Issue' },
      issue: { iid: issue.iid },
    });
    expect(fake.notes[0]).toMatchObject({ issueIid: issue.iid, author: 'alice' });
  });

  it('reports a deployment to production', async () => {
    const fake = await fakeGitLab();

    await fake.deploy('production', 'success');

    expect(receiver.received[0]?.headers['x-gitlab-event']).toBe('Deployment Hook');
    expect(bodyOf(0)).toMatchObject({
      object_kind: 'deployment',
      environment: 'production',
      status: 'success',
    });
  });
});
