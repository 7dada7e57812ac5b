import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../lib/local/dynamo-local.js';
import {
  type RehearsalWorld,
  rehearsalDayOne,
  startRehearsalWorld,
} from '../../lib/local/rehearsal/world.js';
import { runSecrel } from '../support/processes.js';

/** `secrel status` as a child process against a running local mode with one scheduled release. */

let world: RehearsalWorld;
let releaseId: string;
let dayOne: string;

beforeAll(async () => {
  world = await startRehearsalWorld({
    speed: 1,
    dynamoEndpoint: inject('dynamoEndpoint'),
    tableName: `status-${Date.now()}`,
  });
  const issue = world.gitlab.openIssue({ title: 'Invented for the test', confidential: true });
  releaseId = `1-${issue.iid}`;
  await world.gitlab.labelIssue(1, issue.iid, world.config.releaseLabel, 'sec-lead');
  const store = world.runtime.deps.store;
  let state = await store.get(releaseId);
  while (!state?.releaseIssue) {
    await sleep(50);
    state = await store.get(releaseId);
  }
  dayOne = rehearsalDayOne(world.runtime.clock.now());
  const { projectId, iid } = state.releaseIssue;
  await world.gitlab.comment(projectId, iid, '/secrel versions 17.5,17.4', 'sec-lead');
  await world.gitlab.comment(projectId, iid, `/secrel start ${dayOne}`, 'sec-lead');
  while (!state?.dayOne || state.versions.length === 0) {
    await sleep(50);
    state = await store.get(releaseId);
  }
}, 60_000);

afterAll(async () => {
  await world?.close();
});

describe('secrel status', () => {
  it('lists the releases of a running secrel with phase and versions', { timeout: 30_000 }, async () => {
    const { code, stdout } = await runSecrel(['status', '--url', world.runtime.url]);
    expect(code).toBe(0);
    expect(stdout).toMatch(
      new RegExp(`${releaseId} +security/product +\\S+ +first-steps +${dayOne} +17\\.5, 17\\.4`),
    );
  });

  it('shows one release: phase, Day one, versions by stage and its open tasks with owners', {
    timeout: 30_000,
  }, async () => {
    const { code, stdout } = await runSecrel(['status', releaseId, '--url', world.runtime.url]);
    expect(code).toBe(0);
    expect(stdout).toContain(`Release ${releaseId} (security/product)`);
    expect(stdout).toContain('phase First steps');
    expect(stdout).toContain(`Day one ${dayOne}; versions 17.5, 17.4`);
    expect(stdout).toMatch(/^17\.4 +no +no +no +no/m);
    expect(stdout).toMatch(/^request-cve +security lead +\d{4}-\d{2}-\d{2} \d{2}:\d{2}Z/m);
  });

  it('prints the API JSON with --json: phase, versions, tasks with owner, status and due', {
    timeout: 30_000,
  }, async () => {
    const { code, stdout } = await runSecrel(['status', releaseId, '--json', '--url', world.runtime.url]);
    expect(code).toBe(0);
    const view = JSON.parse(stdout) as {
      id: string;
      phase: string;
      versions: string[];
      tasks: { key: string; owners: string[]; status: string; due: string | null }[];
      gates: Record<string, unknown>[];
    };
    expect(view).toMatchObject({ id: releaseId, phase: 'first-steps', versions: ['17.5', '17.4'] });
    expect(view.tasks.find((t) => t.key === 'request-cve')).toMatchObject({
      owners: ['security lead'],
      status: 'open',
      due: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
    });
    expect(view.tasks.find((t) => t.key === 'release-issue')).toMatchObject({ status: 'done' });
    for (const gate of view.gates) expect(gate).not.toHaveProperty('token');
  });

  it('exits non-zero with one line for a release the server does not know', { timeout: 30_000 }, async () => {
    const { code, stdout, stderr } = await runSecrel(['status', '1-999', '--url', world.runtime.url]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain('not found');
  });

  it('exits non-zero with one line when nothing answers at the URL', { timeout: 30_000 }, async () => {
    const port = await freePort();
    const { code, stderr } = await runSecrel(['status', '--url', `http://127.0.0.1:${port}`]);
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    // Nothing listens there: the line says so and how to point status at a running secrel.
    expect(stderr).toContain(`nothing answers at http://127.0.0.1:${port}`);
    expect(stderr).toContain('--url');
  });

  it('exits non-zero with one line for a URL that is not one', { timeout: 30_000 }, async () => {
    const { code, stderr } = await runSecrel(['status', '--url', 'not a url']);
    expect(code).not.toBe(0);
    expect(stderr.trim().split('\n')).toHaveLength(1);
  });
});
