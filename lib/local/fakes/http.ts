import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Plumbing shared by the fake outside systems: a loopback HTTP server on a free port,
 * request bodies read with a size bound, and a record of every call received.
 */

/** One request a fake received, as a test asserts on it. */
export interface RecordedCall {
  readonly method: string;
  /** Path without the query string, still percent-encoded as sent (`/api/v4/projects/a%2Fb/issues`). */
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  /** Parsed JSON body; `undefined` when there was none; the raw text when it was not JSON. */
  readonly body: unknown;
}

/** A fake's server, listening on 127.0.0.1. */
export interface RunningServer {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:43121`. */
  readonly url: string;
  close(): Promise<void>;
}

/** A handler answers one recorded call. */
export type FakeHandler = (call: RecordedCall, res: ServerResponse) => void | Promise<void>;

/** Bodies above this are refused: fakes are for tests, not for uploads. */
const MAX_BODY_BYTES = 1024 * 1024;

/** Reads a request body up to {@link MAX_BODY_BYTES}; rejects beyond that. */
export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new Error('request body too large');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function flatHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

/** Turns a request into a {@link RecordedCall}. */
export async function toCall(req: IncomingMessage): Promise<RecordedCall> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  return {
    method: (req.method ?? 'GET').toUpperCase(),
    path: url.pathname,
    query: Object.fromEntries(url.searchParams.entries()),
    headers: flatHeaders(req),
    body: parseBody(await readBody(req)),
  };
}

/** Answers with a JSON body. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Answers with no body. */
export function sendEmpty(res: ServerResponse, status: number): void {
  res.writeHead(status, { 'content-length': 0 });
  res.end();
}

/**
 * Starts a server on 127.0.0.1 with a free port. Every request is turned into a call and
 * handed to `handler`; a handler that throws answers 500 so a test sees the fake's own bug.
 */
export async function startServer(handler: FakeHandler): Promise<RunningServer> {
  const server: Server = createServer((req, res) => {
    toCall(req)
      .then((call) => handler(call, res))
      .catch((error: unknown) => {
        if (!res.headersSent) sendJson(res, 500, { message: `fake failed: ${String(error)}` });
        else res.end();
      });
  });
  // Keep-alive sockets from undici would otherwise hold close() open.
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * What every fake outside system shares: a loopback server started once, a record of every call
 * received, planned failures, reset and close. A fake answers each recorded call in `handle`.
 */
export abstract class FakeServer {
  /** Every call received, in order. */
  readonly calls: RecordedCall[] = [];
  /** Failures planned by the test; each fake decides where in its answer they apply. */
  protected readonly failures = new FailurePlan();
  private server: RunningServer | undefined;

  /** `fakeName` names the fake in the error for reading its URL before it started. */
  protected constructor(private readonly fakeName: string) {}

  /** The server's base URL (`http://127.0.0.1:port`); throws before {@link FakeServer.start}. */
  protected get serverUrl(): string {
    if (!this.server) throw new Error(`fake ${this.fakeName} is not started`);
    return this.server.url;
  }

  /** The server's base URL, or undefined while not started. */
  protected get startedUrl(): string | undefined {
    return this.server?.url;
  }

  /** Starts listening on a free port of 127.0.0.1. */
  async start(): Promise<this> {
    this.server ??= await startServer((call, res) => {
      this.calls.push(call);
      return this.handle(call, res);
    });
    return this;
  }

  /** Planned failures not served yet (a test checks its faults really happened). */
  plannedFailuresLeft(): number {
    return this.failures.left();
  }

  /** Forgets calls and planned failures. */
  reset(): void {
    this.calls.length = 0;
    this.failures.clear();
  }

  /** Stops the server. */
  async close(): Promise<void> {
    await this.server?.close();
    this.server = undefined;
  }

  /** Answers one call (already recorded in {@link FakeServer.calls}). */
  protected abstract handle(call: RecordedCall, res: ServerResponse): void | Promise<void>;
}

/** A planned failure: the next `times` calls matching `method` and `path` get `status`. */
export interface PlannedFailure {
  readonly method?: string;
  /** Matched against the call's decoded path. */
  readonly path?: RegExp;
  readonly status: number;
  /** How many matching calls fail; `Infinity` for a permanent failure. */
  readonly times: number;
  readonly body?: unknown;
  /** `Retry-After` header sent with the failure (seconds or an HTTP date), as GitLab does with 429. */
  readonly retryAfter?: string;
  /** Answer only after this many ms (a call the client gives up on first is a timeout). */
  readonly delayMs?: number;
}

/** Keeps planned failures and consumes them as matching calls arrive. */
export class FailurePlan {
  private plans: { plan: PlannedFailure; left: number }[] = [];

  /** Adds a planned failure. */
  add(plan: PlannedFailure): void {
    this.plans.push({ plan, left: plan.times });
  }

  /** Returns the failure this call should get, if any, and counts it. */
  take(call: RecordedCall): PlannedFailure | undefined {
    const path = decodeURIComponent(call.path);
    const entry = this.plans.find(
      ({ plan, left }) =>
        left > 0 &&
        (plan.method === undefined || plan.method.toUpperCase() === call.method) &&
        (plan.path === undefined || plan.path.test(path)),
    );
    if (!entry) return undefined;
    entry.left -= 1;
    return entry.plan;
  }

  /** How many planned failures (of plans with a finite count) have not been served yet. */
  left(): number {
    return this.plans.reduce((sum, { left }) => sum + (Number.isFinite(left) ? left : 0), 0);
  }

  /** Forgets every planned failure. */
  clear(): void {
    this.plans = [];
  }
}
