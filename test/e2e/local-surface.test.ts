import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardRoute } from '../../lib/local/dashboard/route.js';
import { type LocalHttpServer, startHttpServer } from '../../lib/local/http-server.js';
import { loadFixtureText } from '../fixtures/gitlab/index.js';
import { gitlabHeaders, ingressDeps } from './ingress-harness.js';

/**
 * Local mode's HTTP surface against DNS rebinding, over real HTTP: the API and the dashboard answer
 * only their own address (or a host named in `localAllowedHosts`); the webhook, which its token
 * authenticates, answers whatever the `Host`. Malformed release ids get 400/404, never 500.
 */

interface Answer {
  readonly status: number;
  readonly body: string;
}

/** One request with an explicit `Host` header (fetch does not let a caller set it). */
function send(
  server: LocalHttpServer,
  method: string,
  path: string,
  host: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: server.port, method, path, headers: { ...headers, host } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const ROUTES: readonly (readonly [string, string])[] = [
  ['GET', '/'],
  ['HEAD', '/'],
  ['GET', '/dashboard/app.js'],
  ['GET', '/dashboard/style.css'],
  ['GET', '/api/releases'],
  ['GET', '/api/releases/42-77'],
  ['GET', '/api/releases/%E0%A4%A'],
  ['GET', '/healthz'],
  ['GET', '/no-such-page'],
  ['POST', '/api/releases'],
];

describe('local mode behind a Host check', () => {
  let server: LocalHttpServer;
  let parts: Awaited<ReturnType<typeof ingressDeps>>;
  beforeAll(async () => {
    parts = await ingressDeps();
    server = await startHttpServer({
      webhook: parts.deps,
      routes: [dashboardRoute()],
      allowedHosts: ['secrel.proxy.example'],
    });
    // A release exists, so a refused request is refused for its Host, not for a missing release.
    const start = await send(
      server,
      'POST',
      '/webhooks/gitlab',
      `127.0.0.1:${server.port}`,
      gitlabHeaders('Confidential Issue Hook'),
      loadFixtureText('confidential-issue-labelled'),
    );
    expect(start.status).toBe(200);
  });
  afterAll(async () => {
    await server.close();
  });

  it('answers 421 to every API and dashboard route asked for as attacker.example', async () => {
    for (const [method, path] of ROUTES) {
      for (const host of [
        'attacker.example',
        `attacker.example:${server.port}`,
        '127.0.0.1.attacker.example',
      ]) {
        const answer = await send(server, method, path, host);
        expect([403, 421], `${method} ${path} as ${host}`).toContain(answer.status);
        expect(answer.body, `${method} ${path}`).not.toContain('42-77');
      }
    }
  });

  it('answers its own address and the allowed proxy host', async () => {
    for (const host of [`127.0.0.1:${server.port}`, `localhost:${server.port}`, 'secrel.proxy.example']) {
      expect((await send(server, 'GET', '/api/releases/42-77', host)).status, host).toBe(200);
      expect((await send(server, 'GET', '/', host)).status, host).toBe(200);
    }
    // The same name on another port is not the listen address.
    expect((await send(server, 'GET', '/api/releases', 'localhost:1')).status).toBe(421);
  });

  it('accepts an authenticated webhook whatever its Host, and refuses an unauthenticated one', async () => {
    const body = loadFixtureText('deployment-staging');
    const ok = await send(
      server,
      'POST',
      '/webhooks/gitlab',
      'attacker.example',
      gitlabHeaders('Deployment Hook'),
      body,
    );
    expect(ok.status).toBeLessThan(300);
    const forged = await send(
      server,
      'POST',
      '/webhooks/gitlab',
      'attacker.example',
      gitlabHeaders('Deployment Hook', { token: 'wrong-token' }),
      body,
    );
    expect(forged.status).toBe(401);
  });

  it('answers malformed release ids with 400 or 404, never 500', async () => {
    const own = `127.0.0.1:${server.port}`;
    for (const path of [
      '/api/releases/%E0%A4%A',
      '/api/releases/%',
      '/api/releases/..%2F..%2Fetc',
      '/api/releases/42-77%00',
      `/api/releases/${'9'.repeat(400)}`,
      '/api/releases/42-77/extra',
      '/api/releases/',
      '/api/releases/42-999',
    ]) {
      const answer = await send(server, 'GET', path, own);
      expect([400, 404], path).toContain(answer.status);
    }
  });
});
