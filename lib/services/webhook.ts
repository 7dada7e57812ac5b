import { EVENT_HEADERS, PayloadRejectedError, parseGitLabEvent } from '../core/events/index.js';
import { ingestEvent } from './ingest.js';
import type { WebhookDeps, WebhookRequest, WebhookResponse } from './types.js';
import { authenticateWebhook, WebhookAuthError } from './webhook-auth.js';
import { deliveryKey } from './webhook-delivery.js';

/**
 * Webhook ingress (DESIGN.md §1, §5): verify, parse, one write, signal, answer. Shared by the
 * Lambda function URL and the local server's `POST /webhooks/gitlab`.
 */

/** Largest body accepted: 1 MiB. GitLab's own payloads are far smaller. */
export const MAX_WEBHOOK_BODY_BYTES = 1024 * 1024;

const reply = (status: number, body: WebhookResponse['body']): WebhookResponse => ({ status, body });
const rejected = (status: number, reason: string): WebhookResponse =>
  reply(status, { status: 'rejected', reason });

/** True when the `Content-Type` is JSON (`application/json`, any parameters). */
export function isJsonContentType(value: string | undefined): boolean {
  return value?.split(';')[0]?.trim().toLowerCase() === 'application/json';
}

function bodySize(body: Buffer | string): number {
  return typeof body === 'string' ? Buffer.byteLength(body) : body.length;
}

/**
 * Handles one delivery and says what to answer. A rejected delivery (401, 413, 415, 400) records
 * nothing, so a corrected resend is accepted; an unexpected failure answers 500 so GitLab retries.
 */
export async function handleWebhook(deps: WebhookDeps, request: WebhookRequest): Promise<WebhookResponse> {
  const { headers, body } = request;
  const declared = Number(headers['content-length'] ?? 0);
  if (declared > MAX_WEBHOOK_BODY_BYTES || bodySize(body) > MAX_WEBHOOK_BODY_BYTES) {
    return rejected(413, 'body exceeds 1 MiB');
  }
  try {
    authenticateWebhook(headers, body, deps.auth, Math.floor((deps.wallClockMs ?? Date.now)() / 1000));
  } catch (err) {
    if (!(err instanceof WebhookAuthError)) throw err;
    deps.logger.warn('webhook refused', { check: err.check });
    return reply(401, { status: 'unauthorized' });
  }
  if (!isJsonContentType(headers['content-type']))
    return rejected(415, 'content type must be application/json');

  const eventHeader = headers['x-gitlab-event']?.trim();
  if (!eventHeader) return rejected(400, 'X-Gitlab-Event header missing');
  // Kinds secrel does not handle (Push Hook, Job Hook, ...) are acknowledged unread.
  if (!Object.hasOwn(EVENT_HEADERS, eventHeader)) return reply(202, { status: 'ignored' });

  let json: unknown;
  try {
    json = JSON.parse(typeof body === 'string' ? body : body.toString('utf8'));
  } catch {
    return rejected(400, 'body is not valid JSON');
  }
  let outcome: ReturnType<typeof parseGitLabEvent>;
  try {
    outcome = parseGitLabEvent(eventHeader, json, {
      receivedAt: deps.clock.now().toUTC().toISO() ?? undefined,
    });
  } catch (err) {
    if (!(err instanceof PayloadRejectedError)) throw err;
    deps.logger.warn('webhook payload rejected', { event: eventHeader, reason: err.message });
    return rejected(400, err.message);
  }
  if (outcome.status === 'ignored') return reply(202, { status: 'ignored' });

  try {
    const result = await ingestEvent(deps, outcome.event, deliveryKey(headers, body));
    deps.logger.info('webhook ingested', {
      event: outcome.event.kind,
      status: result.status,
      releases: result.changed.join(',') || undefined,
    });
    return reply(200, { status: result.status });
  } catch (err) {
    deps.logger.error('webhook ingest failed', { event: outcome.event.kind, error: errorName(err) });
    return reply(500, { status: 'error' });
  }
}

function errorName(err: unknown): string {
  return err instanceof Error ? err.name : 'unknown';
}
