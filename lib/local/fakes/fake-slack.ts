import type { ServerResponse } from 'node:http';
import { FakeServer, type RecordedCall } from './http.js';

/**
 * A Slack incoming webhook in the test: `POST /services/...` with `{ text }` answers `ok`
 * as Slack does, records the message, and can be told to fail.
 */
export class FakeSlack extends FakeServer {
  /** Texts of the messages received, in order. */
  readonly messages: string[] = [];

  constructor() {
    super('Slack');
  }

  /** The incoming-webhook URL to configure in secrel. */
  get webhookUrl(): string {
    return `${this.serverUrl}/services/T000/B000/fake`;
  }

  /** The next `times` messages get `status` (Slack answers 429 when rate limited, 500 when down). */
  failNext(times: number, status = 500): void {
    this.failures.add({ status, times });
  }

  /** Forgets calls, messages and planned failures. */
  override reset(): void {
    super.reset();
    this.messages.length = 0;
  }

  protected override handle(call: RecordedCall, res: ServerResponse): void {
    const failure = this.failures.take(call);
    if (failure) {
      text(res, failure.status, 'planned_failure');
    } else if (call.method !== 'POST' || !call.path.startsWith('/services/')) {
      text(res, 404, 'no_service');
    } else if (!hasText(call.body)) {
      text(res, 400, 'invalid_payload');
    } else {
      this.messages.push(call.body.text);
      text(res, 200, 'ok');
    }
  }
}

function hasText(body: unknown): body is { text: string } {
  return typeof body === 'object' && body !== null && 'text' in body && typeof body.text === 'string';
}

function text(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/plain' });
  res.end(body);
}

/** Starts a fake Slack incoming webhook on 127.0.0.1; call `close()` when done. */
export async function startFakeSlack(): Promise<FakeSlack> {
  return new FakeSlack().start();
}
