import { createHash } from 'node:crypto';

/**
 * The key that makes a webhook delivery count once (DESIGN.md §4.4). GitLab keeps
 * `Idempotency-Key` across retries and "Resend request" (17.4+); older instances send
 * `X-Gitlab-Event-UUID`; without either, the body itself is the identity.
 */

/** Header values longer than this are hashed so a key always fits a DynamoDB key attribute. */
const MAX_HEADER_KEY_LENGTH = 200;

function sha256Hex(value: Buffer | string): string {
  return createHash('sha256').update(value).digest('hex');
}

function fromHeader(source: string, value: string): string {
  const trimmed = value.trim();
  return trimmed.length > MAX_HEADER_KEY_LENGTH
    ? `${source}:sha256:${sha256Hex(trimmed)}`
    : `${source}:${trimmed}`;
}

/**
 * Derives a delivery's key from its lower-case headers and body: `Idempotency-Key`, else
 * `X-Gitlab-Event-UUID`, else the SHA-256 of the body. The source is part of the key so a
 * header value can never collide with a body hash.
 */
export function deliveryKey(
  headers: Readonly<Record<string, string | undefined>>,
  body: Buffer | string,
): string {
  const idempotencyKey = headers['idempotency-key'];
  if (idempotencyKey?.trim()) return fromHeader('idempotency-key', idempotencyKey);
  const eventUuid = headers['x-gitlab-event-uuid'];
  if (eventUuid?.trim()) return fromHeader('event-uuid', eventUuid);
  return `body:sha256:${sha256Hex(body)}`;
}
