import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../lib/local/dynamo-local.js';
import {
  FAKE_GITLAB_TOKEN,
  type FakeGitLab,
  startFakeGitLab,
} from '../../lib/local/fakes/gitlab/fake-gitlab.js';
import { loadFixtureText } from '../fixtures/gitlab/index.js';
import { gone, javaPidsWith, type RunningChild, startSecrel } from '../support/processes.js';

/** `secrel serve` as a person runs it: a child process on a free port with its own data folder. */

const PROJECT = { id: 42, path: 'acme/product', defaultBranch: 'main' } as const;

let dir: string;
let gitlab: FakeGitLab;
let env: Record<string, string>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'secrel-serve-test-'));
  // GitLab is a fake on loopback, so the release's first actions reach nothing real.
  gitlab = await startFakeGitLab({ projects: [PROJECT] });
  const config = JSON.parse(readFileSync('secrel.config.example.json', 'utf8')) as Record<string, unknown>;
  const configFile = join(dir, 'secrel.config.json');
  // The fixture's labeller is the security lead: only a start role may start a release by label.
  const roles = { ...(config.roles as Record<string, unknown>), 'security lead': ['sam.seclead'] };
  writeFileSync(configFile, JSON.stringify({ ...config, roles, gitlab: { url: gitlab.url } }));
  env = {
    SECREL_CONFIG: configFile,
    SECREL_DATA_DIR: join(dir, 'data'),
    GITLAB_TOKEN: FAKE_GITLAB_TOKEN,
  };
});

afterAll(async () => {
  await gitlab?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Starts `secrel serve` on a free port and waits until it says it is ready. */
async function serve(): Promise<{ proc: RunningChild; url: string }> {
  const port = await freePort();
  const proc = startSecrel(['serve'], { ...env, PORT: String(port) }, [
    'SECREL_WEBHOOK_SECRET',
    'SECREL_SPEED',
  ]);
  await proc.waitFor(/Press Ctrl-C to stop\./);
  return { proc, url: `http://127.0.0.1:${port}` };
}

async function releases(url: string): Promise<{ id: string; projectPath: string }[]> {
  const res = await fetch(`${url}/api/releases`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { releases: { id: string; projectPath: string }[] }).releases;
}

describe('secrel serve', () => {
  it('prints the webhook URL and a generated 0600 secret file, takes a webhook, and stops on SIGINT leaving no DynamoDB Local', {
    timeout: 120_000,
  }, async () => {
    const { proc, url } = await serve();
    try {
      const out = proc.output();
      expect(out).toContain(`webhook URL   ${url}/webhooks/gitlab`);
      const secretFile = /Secret token {2}the contents of (\S+) \(generated now, mode 0600\)/.exec(out)?.[1];
      expect(secretFile).toBe(join(env.SECREL_DATA_DIR ?? '', 'webhook-secret'));
      expect(statSync(secretFile ?? '').mode & 0o777).toBe(0o600);
      const secret = readFileSync(secretFile ?? '', 'utf8').trim();
      // The secret itself is never printed, only where it is kept.
      expect(out).not.toContain(secret);

      expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ status: 'ok' });
      const java = javaPidsWith(join(env.SECREL_DATA_DIR ?? '', 'dynamodb'));
      expect(java).toHaveLength(1);

      const refused = await fetch(`${url}/webhooks/gitlab`, {
        method: 'POST',
        headers: webhookHeaders('not-the-secret'),
        body: loadFixtureText('confidential-issue-labelled'),
      });
      expect(refused.status).toBe(401);
      expect(await releases(url)).toEqual([]);

      const accepted = await fetch(`${url}/webhooks/gitlab`, {
        method: 'POST',
        headers: webhookHeaders(secret),
        body: loadFixtureText('confidential-issue-labelled'),
      });
      expect(accepted.status).toBe(200);
      expect(await releases(url)).toEqual([
        expect.objectContaining({ id: '42-77', projectPath: 'acme/product' }),
      ]);

      proc.child.kill('SIGINT');
      expect(await proc.exited()).toBe(0);
      expect(proc.output()).toContain('stopped.');
      expect(await gone(java[0] ?? 0)).toBe(true);
    } finally {
      proc.child.kill('SIGKILL');
    }
  });

  it('started again on the same data folder still has the release, and SIGTERM stops it with DynamoDB Local', {
    timeout: 120_000,
  }, async () => {
    const { proc, url } = await serve();
    try {
      expect(proc.output()).toContain('Resumed 1 release(s) in flight: 42-77');
      // The secret file from the first start is reused, not generated again.
      expect(proc.output()).not.toContain('(generated now, mode 0600)');
      expect(await releases(url)).toEqual([expect.objectContaining({ id: '42-77' })]);
      const java = javaPidsWith(join(env.SECREL_DATA_DIR ?? '', 'dynamodb'));
      expect(java).toHaveLength(1);

      proc.child.kill('SIGTERM');
      expect(await proc.exited()).toBe(0);
      expect(await gone(java[0] ?? 0)).toBe(true);
    } finally {
      proc.child.kill('SIGKILL');
    }
  });
});

/** The headers GitLab sends with a Confidential Issue Hook. */
function webhookHeaders(token: string): Record<string, string> {
  return {
    'content-type': 'application/json',
    'x-gitlab-event': 'Confidential Issue Hook',
    'x-gitlab-token': token,
    'x-gitlab-instance': 'https://gitlab.example.com',
    'x-gitlab-webhook-uuid': randomUUID(),
    'x-gitlab-event-uuid': randomUUID(),
  };
}
