import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../lib/local/dynamo-local.js';
import { writeServerFile } from '../../lib/local/server-file.js';
import { type RunningChild, runSecrel, startSecrel } from '../support/processes.js';

/**
 * The README's first hour, as a new user meets it: the "Try it locally" curl, copied out of the
 * README and run as written by a shell against `secrel serve`; `secrel --version`; and `secrel
 * status` finding the server without `--url`, or saying what to do when nothing answers.
 */

const run = promisify(execFile);

/** The shell block under the README's "Try it locally" heading. */
function readmeCurl(): string {
  const readme = readFileSync('README.md', 'utf8');
  const section = readme.split(/^### Try it locally$/m)[1] ?? '';
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1];
  if (!block) throw new Error('README has no sh block under "### Try it locally"');
  return block;
}

let dir: string;
let server: RunningChild | undefined;
let env: Record<string, string>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'secrel-try-it-'));
  // What `npm start` does on a fresh clone: the committed example config, a generated secret.
  env = {
    SECREL_CONFIG: 'secrel.config.example.json',
    SECREL_DATA_DIR: join(dir, 'data'),
    PORT: String(await freePort()),
  };
  server = startSecrel(['serve'], env, ['SECREL_WEBHOOK_SECRET', 'SECREL_SPEED', 'GITLAB_TOKEN']);
  await server.waitFor(/Press Ctrl-C to stop\./, 90_000);
}, 120_000);

afterAll(async () => {
  if (server) {
    server.child.kill('SIGINT');
    await server.exited();
  }
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('trying secrel locally', () => {
  it('names the release label and the demo when it starts', () => {
    expect(server?.output()).toContain(
      'A release starts when a confidential issue gets the label "critical security release".',
    );
    expect(server?.output()).toContain('npm run demo');
  });

  it("accepts the README's curl as written and shows the release in /api/releases", {
    timeout: 60_000,
  }, async () => {
    const { stdout } = await run('bash', ['-c', readmeCurl()], { env: { ...process.env, ...env } });
    expect(stdout).toContain('"status":"accepted"');
    const listed = (await (await fetch(`http://127.0.0.1:${env.PORT}/api/releases`)).json()) as {
      releases: { id: string; projectPath: string }[];
    };
    expect(listed.releases).toEqual([expect.objectContaining({ id: '42-77', projectPath: 'acme/product' })]);
  });

  it('serves an empty-state text naming the release label and the demo', async () => {
    const page = await (await fetch(`http://127.0.0.1:${env.PORT}/`)).text();
    expect(page).toContain('<strong>critical security release</strong>');
    expect(page).toContain('npm run demo');
  });

  it('lets `secrel status` find the server from its data folder, without PORT or --url', {
    timeout: 30_000,
  }, async () => {
    const { code, stdout } = await runSecrel(['status'], {
      SECREL_DATA_DIR: env.SECREL_DATA_DIR ?? '',
      PORT: '',
    });
    expect(code).toBe(0);
    expect(stdout).toMatch(/42-77 +acme\/product/);
  });
});

describe('the command line', () => {
  it('prints its version', { timeout: 30_000 }, async () => {
    const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    const { code, stdout } = await runSecrel(['--version']);
    expect(code).toBe(0);
    expect(stdout).toBe(`secrel ${version}\n`);
  });

  it('says to start secrel or pass --url when nothing answers', { timeout: 30_000 }, async () => {
    const empty = mkdtempSync(join(tmpdir(), 'secrel-status-'));
    try {
      // A server that stopped without cleaning up left its address behind: nothing listens there now.
      const port = await freePort();
      writeServerFile(empty, `http://127.0.0.1:${port}`, 1);
      const { code, stderr } = await runSecrel(['status'], { SECREL_DATA_DIR: empty, PORT: '' });
      expect(code).toBe(1);
      expect(stderr).toBe(
        `secrel status: nothing answers at http://127.0.0.1:${port}. Start secrel with \`npm start\`, or point at a running one with --url <url>.\n`,
      );
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('prefers PORT to the recorded address', { timeout: 30_000 }, async () => {
    const listener = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"releases":[]}');
    });
    const port = await freePort();
    await new Promise<void>((resolve) => listener.listen(port, '127.0.0.1', resolve));
    try {
      const { code, stdout } = await runSecrel(['status'], { SECREL_DATA_DIR: dir, PORT: String(port) });
      expect(code).toBe(0);
      expect(stdout).toBe('No releases yet.\n');
    } finally {
      listener.close();
    }
  });
});
