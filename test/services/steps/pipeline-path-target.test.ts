import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { parseGitLabEvent } from '../../../lib/core/events/index.js';
import { apply } from '../../../lib/core/release/apply.js';
import { runStep } from '../../../lib/services/steps/run-step.js';
import { type ActionWorld, actionWorld } from '../../support/action-world.js';

/**
 * A pipeline target given as a path that is not a configured project (the example config's
 * `acme/omnibus`): secrel records the project id GitLab answers when it starts the pipeline, so
 * the pipeline's own webhook (which carries that id) proves the task done. GitLab is the fake over
 * HTTP through gitbeaker; the hook is the fake's real delivery, parsed as ingress parses it.
 */

const RELEASE = '42-7';
const OMNIBUS = { id: 43, path: 'acme/omnibus', defaultBranch: 'master' } as const;
const STEP = { releaseId: RELEASE, step: 'action', task: 'build-packages', version: '17.5' } as const;

let world: ActionWorld | undefined;
let receiver: Server | undefined;
afterEach(async () => {
  await world?.close();
  await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
  world = undefined;
  receiver = undefined;
});

/** Takes the fake's webhook deliveries over HTTP: event header and JSON body. */
async function hookReceiver(): Promise<{ url: string; hooks: { event: string; body: unknown }[] }> {
  const hooks: { event: string; body: unknown }[] = [];
  receiver = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
    });
    req.on('end', () => {
      hooks.push({ event: String(req.headers['x-gitlab-event'] ?? ''), body: JSON.parse(text) });
      res.writeHead(200).end();
    });
  });
  const server = receiver;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, hooks };
}

describe('pipeline targets given as a path', () => {
  it('records the project id GitLab answers, and the pipeline hook from that project completes the task', async () => {
    world = await actionWorld({
      otherProjects: [OMNIBUS],
      pipelines: { 'build-packages': { project: 'acme/omnibus', ref: '{version}-stable' } },
    });
    const w = world;
    const { url, hooks } = await hookReceiver();
    w.gitlab.setWebhook(url);
    await w.seed();

    const started = await runStep(w.deps, STEP);
    expect(started.outcome).toBe('pipeline-started');
    const pipeline = w.gitlab.pipelines[0];
    expect(pipeline?.projectId).toBe(OMNIBUS.id);
    // The request named the project by path; the record holds GitLab's id for it.
    expect(w.gitlab.calls.some((c) => c.method === 'POST' && c.path.includes('acme%2Fomnibus'))).toBe(true);
    const state = await w.deps.store.get(RELEASE);
    expect(state?.tasks['build-packages@17.5']?.lastPipeline).toMatchObject({
      projectId: OMNIBUS.id,
      pipelineId: pipeline?.id,
      ref: '17-5-stable',
    });
    // A re-run reads the record: no second pipeline, same answer.
    expect(await runStep(w.deps, STEP)).toMatchObject({ outcome: 'already-done', pipelineId: pipeline?.id });
    expect(w.gitlab.pipelines).toHaveLength(1);

    await w.gitlab.completePipeline(pipeline?.id ?? 0, 'success');
    const hook = hooks.find((h) => h.event === 'Pipeline Hook');
    expect(hook).toBeDefined();
    const parsed = parseGitLabEvent(hook?.event ?? '', hook?.body);
    if (parsed.status !== 'parsed') throw new Error(`pipeline hook not parsed: ${parsed.status}`);
    if (state === undefined) throw new Error('release not stored');
    const applied = apply(state, parsed.event, {
      config: w.deps.config,
      playbook: w.deps.playbook,
      now: w.deps.clock.now(),
    });
    expect(applied.state.tasks['build-packages@17.5']?.status).toBe('done');
    expect(applied.state.refusedPipelineClaims ?? []).toEqual([]);
  });

  it('still refuses a pipeline with the same variables from another project (provenance holds)', async () => {
    world = await actionWorld({
      otherProjects: [OMNIBUS, { id: 44, path: 'acme/fork', defaultBranch: 'main' }],
      pipelines: { 'build-packages': { project: 'acme/omnibus', ref: '{version}-stable' } },
    });
    const w = world;
    const { url, hooks } = await hookReceiver();
    w.gitlab.setWebhook(url);
    await w.seed();
    await runStep(w.deps, STEP);
    const ours = w.gitlab.pipelines[0];
    // Someone with access to another project runs a pipeline claiming the task.
    const forged = await w.deps.gitlab.createPipeline('acme/fork', '17-5-stable', {
      SECREL_RELEASE_ID: RELEASE,
      SECREL_ACTION: 'build-packages',
      SECREL_VERSION: '17.5',
    });
    expect(forged.projectId).toBe(44);
    await w.gitlab.completePipeline(forged.id, 'success');
    const hook = hooks.find(
      (h) => h.event === 'Pipeline Hook' && JSON.stringify(h.body).includes(`"id":${forged.id}`),
    );
    const parsed = parseGitLabEvent(hook?.event ?? '', hook?.body);
    if (parsed.status !== 'parsed') throw new Error(`pipeline hook not parsed: ${parsed.status}`);
    const state = await w.deps.store.get(RELEASE);
    if (state === undefined) throw new Error('release not stored');
    const applied = apply(state, parsed.event, {
      config: w.deps.config,
      playbook: w.deps.playbook,
      now: w.deps.clock.now(),
    });
    expect(applied.state.tasks['build-packages@17.5']?.status).not.toBe('done');
    expect(applied.state.tasks['build-packages@17.5']?.lastPipeline?.pipelineId).toBe(ours?.id);
    expect(applied.state.refusedPipelineClaims?.length).toBe(1);
  });
});
