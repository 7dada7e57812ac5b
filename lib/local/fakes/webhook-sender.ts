import { createHmac, randomUUID } from 'node:crypto';
import type { HookEvent } from './gitlab/hook-payloads.js';

/**
 * Delivers webhooks the way GitLab does: a JSON POST with GitLab's delivery headers
 * (SOURCES.md "Delivery headers"), a 10 s timeout, and the Standard Webhooks signature when a
 * signing key is set.
 */

/** The GitLab version the fake claims in `User-Agent`. */
export const FAKE_GITLAB_VERSION = '18.2.0';

/** GitLab gives up on a receiver after this long. */
const DELIVERY_TIMEOUT_MS = 10_000;

/** Where and how hooks are delivered. */
export interface WebhookTarget {
  readonly url: string;
  /** Sent as `X-Gitlab-Token` when set. */
  readonly secret?: string;
  /** `whsec_<base64>`: adds `webhook-id`, `webhook-timestamp`, `webhook-signature`. */
  readonly signingKey?: string;
  /** Sent as `X-Gitlab-Instance`. */
  readonly instanceUrl: string;
}

/** Per-delivery overrides, e.g. to resend an event with the same `Idempotency-Key`. */
export interface DeliveryOptions {
  readonly idempotencyKey?: string;
  readonly eventUuid?: string;
  /** Overrides the configured secret (a wrong token, say); `null` sends none. */
  readonly secret?: string | null;
}

/** What happened to one delivery. */
export interface WebhookDelivery {
  readonly event: HookEvent;
  readonly idempotencyKey: string;
  readonly eventUuid: string;
  /** HTTP status of the receiver's answer; 0 when it could not be reached. */
  readonly status: number;
  readonly responseBody: string;
  /** Network error or timeout, when there was no answer. */
  readonly error?: string;
  readonly payload: Readonly<Record<string, unknown>>;
}

/** Standard Webhooks signature `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`. */
export function signWebhook(signingKey: string, id: string, timestamp: number, body: string): string {
  const key = Buffer.from(signingKey.replace(/^whsec_/, ''), 'base64');
  const mac = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
  return `v1,${mac}`;
}

/** Builds GitLab's delivery headers for one hook. */
export function deliveryHeaders(
  target: WebhookTarget,
  event: HookEvent,
  body: string,
  ids: { idempotencyKey: string; eventUuid: string },
  secret: string | undefined,
): Record<string, string> {
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    'User-Agent': `GitLab/${FAKE_GITLAB_VERSION}`,
    'X-Gitlab-Event': event,
    'X-Gitlab-Instance': target.instanceUrl,
    'X-Gitlab-Webhook-UUID': randomUUID(),
    'X-Gitlab-Event-UUID': ids.eventUuid,
    'Idempotency-Key': ids.idempotencyKey,
  };
  if (secret !== undefined) headers['X-Gitlab-Token'] = secret;
  if (target.signingKey !== undefined) {
    const timestamp = Math.floor(Date.now() / 1000);
    headers['webhook-id'] = ids.idempotencyKey;
    headers['webhook-timestamp'] = String(timestamp);
    headers['webhook-signature'] = signWebhook(target.signingKey, ids.idempotencyKey, timestamp, body);
  }
  return headers;
}

/** POSTs one hook; never throws: an unreachable receiver is a delivery with status 0. */
export async function deliverWebhook(
  target: WebhookTarget,
  event: HookEvent,
  payload: Readonly<Record<string, unknown>>,
  options: DeliveryOptions = {},
): Promise<WebhookDelivery> {
  const idempotencyKey = options.idempotencyKey ?? randomUUID();
  const eventUuid = options.eventUuid ?? randomUUID();
  const body = JSON.stringify(payload);
  const secret = options.secret === null ? undefined : (options.secret ?? target.secret);
  const headers = deliveryHeaders(target, event, body, { idempotencyKey, eventUuid }, secret);
  try {
    const res = await fetch(target.url, {
      method: 'POST',
      headers,
      body,
      signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
    });
    return { event, idempotencyKey, eventUuid, status: res.status, responseBody: await res.text(), payload };
  } catch (error) {
    const reason = error instanceof Error ? error.name : 'error';
    return { event, idempotencyKey, eventUuid, status: 0, responseBody: '', error: reason, payload };
  }
}
