import type { ServerResponse } from 'node:http';
import { FailurePlan, type RecordedCall, type RunningServer, startServer } from './http.js';

/**
 * A Slack incoming webhook in the test: `POST /services/...` with `{ text }` answers `ok`
 * as Slack does, records the message, and can be told to fail.
 */
export class FakeSlack {
  /** Every call received, in order. */
  readonly calls: RecordedCall[] = [];
  /** Texts of the messages received, in order. */
  readonly messages: string[] = [];
  private readonly failures = new FailurePlan();
  private server: RunningServer | undefined;

  /** The incoming-webhook URL to configure in secrel. */
  get webhookUrl(): string {
    if (!this.server) throw new Error('fake Slack is not started');
    return `${this.server.url}/services/T000/B000/fake`;
  }

  /** Starts listening on a free port of 127.0.0.1. */
  async start(): Promise<this> {
    this.server ??= await startServer((call, res) => this.handle(call, res));
    return this;
  }

  /** The next `times` messages get `status` (Slack answers 429 when rate limited, 500 when down). */
  failNext(times: number, status = 500): void {
    this.failures.add({ status, times });
  }

  /** Forgets calls, messages and planned failures. */
  reset(): void {
    this.calls.length = 0;
    this.messages.length = 0;
    this.failures.clear();
  }

  /** Stops the server. */
  async close(): Promise<void> {
    await this.server?.close();
    this.server = undefined;
  }

  private handle(call: RecordedCall, res: ServerResponse): void {
    this.calls.push(call);
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
