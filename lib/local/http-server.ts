import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ReleaseState, TimelineEntry } from '../core/types/release.js';
import type { WebhookDeps } from '../services/types.js';
import { handleWebhook, MAX_WEBHOOK_BODY_BYTES } from '../services/webhook.js';
import { allowedHosts, hostAllowed } from './host-check.js';

/**
 * Local mode's one HTTP port (DESIGN.md §8): `POST /webhooks/gitlab`, `GET /healthz`,
 * `GET /api/releases`, `GET /api/releases/:id`, and whatever else local mode mounts
 * (the dashboard at `GET /`). node:http only; no framework.
 */

/** An extra route: answers when it returns true, passes otherwise. */
export type RouteHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
) => Promise<boolean> | boolean;

/** Builds the JSON the release API returns for one release (tasks, gates, versions, timeline). */
export type ReleaseView = (state: ReleaseState, timeline: readonly TimelineEntry[]) => unknown;

/** Options for {@link startHttpServer}. */
export interface HttpServerOptions {
  /** Everything webhook ingress needs; its store also serves the release API. */
  readonly webhook: WebhookDeps;
  /** Shapes `GET /api/releases/:id`; by default the stored state and its timeline. */
  readonly releaseView?: ReleaseView;
  /** Routes tried before the 404, in order (the dashboard, later additions). */
  readonly routes?: readonly RouteHandler[];
  /** Interface to listen on (default 127.0.0.1: local mode is not meant to face a network). */
  readonly host?: string;
  /** Port (default: a free one). */
  readonly port?: number;
  /** Hosts besides the listen address whose requests the API and dashboard answer (a proxy's name). */
  readonly allowedHosts?: readonly string[];
}

/** A listening local server. */
export interface LocalHttpServer {
  /** Base URL without a trailing slash. */
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  close(): Promise<void>;
}

/** Default release view: the state as stored plus its timeline. */
export const defaultReleaseView: ReleaseView = (state, timeline) => ({ ...state, timeline });

/** Answers with JSON; `connection: close` when the request body was not read to its end. */
function sendJson(res: ServerResponse, status: number, body: unknown, close = false): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...(close ? { connection: 'close' } : {}),
  });
  res.end(text);
}

/** Flattens node's header object into lower-case names with single values. */
export function flattenHeaders(req: IncomingMessage): Record<string, string | undefined> {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

/**
 * Reads a body up to `limit` bytes. Resolves undefined as soon as the limit is passed and stops
 * reading, so an oversized upload costs at most `limit` bytes of memory.
 */
export function readLimitedBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        req.pause();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

/** Answers a refused upload, then drops the connection so the rest of the body is never read. */
function refuseOversized(req: IncomingMessage, res: ServerResponse): void {
  sendJson(res, 413, { status: 'rejected', reason: 'body exceeds 1 MiB' }, true);
  res.once('finish', () => req.socket.destroySoon());
}

async function webhookRoute(
  options: HttpServerOptions,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const headers = flattenHeaders(req);
  if (Number(headers['content-length'] ?? 0) > MAX_WEBHOOK_BODY_BYTES) return refuseOversized(req, res);
  const body = await readLimitedBody(req, MAX_WEBHOOK_BODY_BYTES);
  if (body === undefined) return refuseOversized(req, res);
  const answer = await handleWebhook(options.webhook, { headers, body });
  sendJson(res, answer.status, answer.body);
}

async function releasesRoute(options: HttpServerOptions, res: ServerResponse): Promise<void> {
  const releases = await options.webhook.store.listReleases();
  sendJson(res, 200, {
    releases: releases.map((r) => ({
      id: r.id,
      status: r.status,
      phase: r.phase,
      projectPath: r.projectPath,
      dayOne: r.dayOne,
      versions: r.versions,
      updatedAt: r.updatedAt,
    })),
  });
}

/** Release ids are `<projectId>-<iid>`; anything else is refused before the store sees it. */
const RELEASE_ID = /^[1-9]\d{0,15}-[1-9]\d{0,15}$/;

async function releaseRoute(options: HttpServerOptions, res: ServerResponse, raw: string): Promise<void> {
  let id: string;
  try {
    id = decodeURIComponent(raw);
  } catch {
    return sendJson(res, 400, { error: 'malformed release id' });
  }
  if (!RELEASE_ID.test(id)) return sendJson(res, 400, { error: 'malformed release id' });
  const state = await options.webhook.store.get(id);
  if (!state) return sendJson(res, 404, { error: 'no such release' });
  const timeline = await options.webhook.store.timeline(id);
  sendJson(res, 200, (options.releaseView ?? defaultReleaseView)(state, timeline));
}

async function route(
  options: HttpServerOptions,
  hosts: { allowed: ReadonlySet<string> },
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const method = req.method ?? 'GET';
  if (url.pathname === '/webhooks/gitlab') {
    if (method !== 'POST') return sendJson(res, 405, { error: 'method not allowed' });
    return webhookRoute(options, req, res);
  }
  // Everything else may show embargoed metadata: only to a browser that asked for this very address.
  if (!hostAllowed(req, hosts.allowed)) return sendJson(res, 421, { error: 'misdirected request' }, true);
  if (url.pathname.startsWith('/api/releases/') && method === 'GET') {
    const id = url.pathname.slice('/api/releases/'.length);
    if (id.length === 0 || id.includes('/')) return sendJson(res, 404, { error: 'not found' });
    return releaseRoute(options, res, id);
  }
  if (method === 'GET' && url.pathname === '/healthz') return sendJson(res, 200, { status: 'ok' });
  if (method === 'GET' && url.pathname === '/api/releases') return releasesRoute(options, res);
  for (const handler of options.routes ?? []) {
    if (await handler(req, res, url)) return;
  }
  sendJson(res, 404, { error: 'not found' });
}

/** Starts the local HTTP server on loopback and resolves once it listens. */
export async function startHttpServer(options: HttpServerOptions): Promise<LocalHttpServer> {
  // Filled in once the port is known; until then nothing but the webhook answers.
  const hosts: { allowed: ReadonlySet<string> } = { allowed: new Set() };
  const server = createServer((req, res) => {
    route(options, hosts, req, res).catch((err: unknown) => {
      options.webhook.logger.error('http request failed', {
        error: err instanceof Error ? err.name : 'unknown',
      });
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
      else res.destroy();
    });
  });
  // Keep-alive sockets would hold close() open; the benchmark and tests reuse connections freely.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host ?? '127.0.0.1';
  hosts.allowed = allowedHosts(port, [...(options.allowedHosts ?? []), `${host}:${port}`]);
  return {
    url: `http://${host}:${port}`,
    port,
    server,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
