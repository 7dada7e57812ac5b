import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { deliveryKey } from '../../lib/services/webhook-delivery.js';

const BODY = '{"object_kind":"merge_request"}';

describe('delivery key', () => {
  it('uses Idempotency-Key, which GitLab keeps across retries and resends', () => {
    const key = deliveryKey({ 'idempotency-key': 'a1', 'x-gitlab-event-uuid': 'u1' }, BODY);
    expect(key).toBe('idempotency-key:a1');
    expect(deliveryKey({ 'idempotency-key': 'a1', 'x-gitlab-event-uuid': 'u2' }, '{}')).toBe(key);
  });

  it('falls back to X-Gitlab-Event-UUID on GitLab before 17.4', () => {
    expect(deliveryKey({ 'x-gitlab-event-uuid': 'u1' }, BODY)).toBe('event-uuid:u1');
  });

  it('falls back to the SHA-256 of the body when neither header is sent', () => {
    const hash = createHash('sha256').update(BODY).digest('hex');
    expect(deliveryKey({}, BODY)).toBe(`body:sha256:${hash}`);
    expect(deliveryKey({ 'idempotency-key': '  ' }, Buffer.from(BODY))).toBe(`body:sha256:${hash}`);
  });

  it('hashes an overlong header so the key always fits the table', () => {
    const key = deliveryKey({ 'idempotency-key': 'x'.repeat(5000) }, BODY);
    expect(key.length).toBeLessThan(120);
    expect(key.startsWith('idempotency-key:sha256:')).toBe(true);
  });
});
