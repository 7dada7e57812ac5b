import type { ServerResponse } from 'node:http';
import * as z from 'zod';
import { FakeServer, type PlannedFailure, type RecordedCall, sendJson } from './http.js';

/** Options of {@link startFakeHackerOne}. */
export interface FakeHackerOneOptions {
  readonly apiIdentifier?: string;
  readonly token?: string;
}

/** A comment the fake received on a report. */
export interface FakeReportComment {
  readonly reportId: string;
  readonly message: string;
  readonly internal: boolean;
}

const commentBody = z.object({
  data: z.object({
    type: z.literal('activity-comment'),
    attributes: z.object({ message: z.string().min(1), internal: z.boolean().default(true) }),
  }),
});

/**
 * HackerOne in the test: answers `POST /v1/reports/{id}/activities` (comments, the documented
 * customer API call secrel makes) behind basic auth, records every call, and can be told to fail.
 * Anything else is 404, so a call to an undocumented path fails a test.
 */
export class FakeHackerOne extends FakeServer {
  readonly comments: FakeReportComment[] = [];

  constructor(private readonly options: FakeHackerOneOptions = {}) {
    super('HackerOne');
  }

  /** API root (`http://127.0.0.1:port/v1`): give it to the client as `baseUrl`. */
  get url(): string {
    return `${this.serverUrl}/v1`;
  }

  /** The basic-auth user name the fake accepts. */
  get apiIdentifier(): string {
    return this.options.apiIdentifier ?? 'secrel-fake';
  }

  /** The basic-auth password the fake accepts. */
  get token(): string {
    return this.options.token ?? 'fake-hackerone-token';
  }

  /** Makes matching calls fail, e.g. `{ path: /activities$/, status: 503, times: 1 }`. */
  failRequests(plan: PlannedFailure): void {
    this.failures.add(plan);
  }

  /** Forgets calls, comments and planned failures. */
  override reset(): void {
    super.reset();
    this.comments.length = 0;
  }

  protected override handle(call: RecordedCall, res: ServerResponse): void {
    const expected = `Basic ${Buffer.from(`${this.apiIdentifier}:${this.token}`).toString('base64')}`;
    if (call.headers.authorization !== expected) {
      sendJson(res, 401, { errors: [{ status: 401, title: 'Unauthorized' }] });
      return;
    }
    const failure = this.failures.take(call);
    if (failure) {
      sendJson(res, failure.status, failure.body ?? { errors: [{ status: failure.status }] });
      return;
    }
    const comment = /^\/v1\/reports\/([^/]+)\/activities$/.exec(call.path);
    if (call.method === 'POST' && comment?.[1]) {
      this.addComment(decodeURIComponent(comment[1]), call.body, res);
      return;
    }
    sendJson(res, 404, { errors: [{ status: 404, title: 'Not Found' }] });
  }

  private addComment(reportId: string, body: unknown, res: ServerResponse): void {
    const parsed = commentBody.safeParse(body);
    if (!parsed.success) {
      sendJson(res, 400, { errors: [{ status: 400, title: 'Invalid activity' }] });
      return;
    }
    const { message, internal } = parsed.data.data.attributes;
    this.comments.push({ reportId, message, internal });
    sendJson(res, 201, { data: { id: String(this.comments.length), type: 'activity-comment' } });
  }
}

/** Starts a fake HackerOne on 127.0.0.1; call `close()` when done. */
export async function startFakeHackerOne(options: FakeHackerOneOptions = {}): Promise<FakeHackerOne> {
  return new FakeHackerOne(options).start();
}
