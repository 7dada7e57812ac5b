import type { ServerResponse } from 'node:http';
import * as z from 'zod';
import { FakeServer, type RecordedCall, sendJson } from './http.js';

/** Options of {@link startFakeVersionServer}. */
export interface FakeVersionServerOptions {
  /** The bearer token the fake accepts. */
  readonly token?: string;
}

/** A version entry the fake holds. */
export interface FakeVersionEntry {
  readonly version: string;
  readonly security: boolean;
  readonly releasedAt: string;
}

/** The fake version server's default token. */
export const FAKE_VERSION_SERVER_TOKEN = 'fake-version-server-token';

const entryBody = z.object({
  version: z.string().min(1),
  security: z.boolean(),
  released_at: z.string().min(1),
});

/**
 * A version server in the test: `POST /api/v1/versions` with a bearer token adds an entry,
 * answers 409 when it exists, and can be told to fail. Every call is recorded.
 */
export class FakeVersionServer extends FakeServer {
  readonly versions: FakeVersionEntry[] = [];

  constructor(private readonly options: FakeVersionServerOptions = {}) {
    super('version server');
  }

  /** Base URL: give it to the client as `baseUrl`. */
  get url(): string {
    return this.serverUrl;
  }

  /** The token the fake accepts. */
  get token(): string {
    return this.options.token ?? FAKE_VERSION_SERVER_TOKEN;
  }

  /** The next `times` additions answer 503, as during a deploy of the version server. */
  failNext(times: number, status = 503): void {
    this.failures.add({ method: 'POST', status, times });
  }

  /** Every addition answers 422 from now on, as for an entry the server will never accept. */
  failPermanently(status = 422): void {
    this.failures.add({ method: 'POST', status, times: Number.POSITIVE_INFINITY });
  }

  /** Forgets calls, entries and planned failures. */
  override reset(): void {
    super.reset();
    this.versions.length = 0;
  }

  protected override handle(call: RecordedCall, res: ServerResponse): void {
    if (call.method !== 'POST' || call.path !== '/api/v1/versions') {
      sendJson(res, 404, { error: 'not found' });
      return;
    }
    if (call.headers.authorization !== `Bearer ${this.token}`) {
      sendJson(res, 401, { error: 'unauthorized' });
      return;
    }
    const failure = this.failures.take(call);
    if (failure) {
      sendJson(res, failure.status, { error: 'planned failure' });
      return;
    }
    const body = entryBody.safeParse(call.body);
    if (!body.success) {
      sendJson(res, 422, { error: 'invalid version entry' });
      return;
    }
    if (this.versions.some((v) => v.version === body.data.version)) {
      sendJson(res, 409, { error: 'version already exists' });
      return;
    }
    const entry = {
      version: body.data.version,
      security: body.data.security,
      releasedAt: body.data.released_at,
    };
    this.versions.push(entry);
    sendJson(res, 201, { ...body.data, id: this.versions.length });
  }
}

/** Starts a fake version server on 127.0.0.1; call `close()` when done. */
export async function startFakeVersionServer(
  options: FakeVersionServerOptions = {},
): Promise<FakeVersionServer> {
  return new FakeVersionServer(options).start();
}
