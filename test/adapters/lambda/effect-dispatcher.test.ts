import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AsyncInvokeEffectDispatcher,
  deliveryRequests,
  MAX_EVENT_PAYLOAD_BYTES,
} from '../../../lib/adapters/lambda/index.js';
import { type DeliverableEffect, deliverEffectsRequestSchema } from '../../../lib/core/types/workflow.js';
import { type FakeInvokeEndpoint, startFakeInvokeEndpoint } from './invoke-endpoint.js';

const RELEASE = '42-77';
const reply: DeliverableEffect = {
  type: 'reply',
  issue: { projectId: 42, iid: 78 },
  body: 'Release 42-77 is in First steps.',
};
const notice: DeliverableEffect = {
  type: 'notify',
  roles: ['security lead'],
  message: 'Release 42-77: Day one set.',
};

describe('effects handed from ingress to the actions function', () => {
  let endpoint: FakeInvokeEndpoint;
  beforeEach(async () => {
    endpoint = await startFakeInvokeEndpoint();
  });
  afterEach(async () => {
    await endpoint.close();
  });

  it("queues a release's reply and notice with one asynchronous Invoke of the actions function, in order", async () => {
    const dispatcher = new AsyncInvokeEffectDispatcher({
      functionName: 'secrel-dev-actions',
      client: endpoint.client(),
    });
    await dispatcher.dispatch(RELEASE, [reply, notice]);
    expect(endpoint.calls).toHaveLength(1);
    const [call] = endpoint.calls;
    expect(call?.method).toBe('POST');
    expect(call?.path).toBe('/2015-03-31/functions/secrel-dev-actions/invocations');
    expect(call?.headers['x-amz-invocation-type']).toBe('Event');
    const payload: unknown = JSON.parse(call?.body ?? '');
    expect(payload).toEqual({ releaseId: RELEASE, step: 'deliver-effects', effects: [reply, notice] });
    // What the actions function will parse.
    expect(deliverEffectsRequestSchema.parse(payload).effects).toEqual([reply, notice]);
  });

  it('invokes nothing when a change has no reply or notice', async () => {
    const dispatcher = new AsyncInvokeEffectDispatcher({
      functionName: 'actions',
      client: endpoint.client(),
    });
    await dispatcher.dispatch(RELEASE, []);
    expect(endpoint.calls).toEqual([]);
  });

  it('fails the dispatch when Lambda refuses the invoke, so ingress can log the lost reply', async () => {
    endpoint.refuse(403, 'AccessDeniedException');
    const dispatcher = new AsyncInvokeEffectDispatcher({
      functionName: 'actions',
      client: endpoint.client(),
    });
    await expect(dispatcher.dispatch(RELEASE, [reply])).rejects.toThrow();
    expect(endpoint.calls).toHaveLength(1);
  });

  it('splits effects too large for one asynchronous payload into several requests, keeping their order', () => {
    const big = (n: number): DeliverableEffect => ({
      type: 'reply',
      issue: { projectId: 42, iid: 78 },
      body: `${n}:${'x'.repeat(100_000)}`,
    });
    const effects = [big(1), big(2), big(3), big(4), big(5)];
    const requests = deliveryRequests(RELEASE, effects);
    expect(requests.length).toBeGreaterThan(1);
    expect(requests.flatMap((request) => request.effects)).toEqual(effects);
    for (const request of requests) {
      expect(Buffer.byteLength(JSON.stringify(request))).toBeLessThanOrEqual(MAX_EVENT_PAYLOAD_BYTES);
    }
    expect(deliveryRequests(RELEASE, [reply, notice])).toHaveLength(1);
  });
});
