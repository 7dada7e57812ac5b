import { mkdtempSync, rmSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createDocumentClient,
  createDynamoClient,
  DynamoReleaseStore,
  ensureReleaseTable,
} from '../../lib/adapters/dynamo/index.js';
import { type DynamoLocal, startDynamoLocal } from '../../lib/local/dynamo-local.js';
import { type LocalHttpServer, startHttpServer } from '../../lib/local/http-server.js';
import { silentLogger } from '../../lib/services/logger.js';
import { releaseDeliveryKey } from '../../lib/services/release-apply.js';
import { sendRaw } from '../support/raw-http.js';
import { RecordingEffectDispatcher } from '../support/recording-effect-dispatcher.js';
import {
  exampleConfig,
  gitlabHeaders,
  type IngressHarness,
  RecordingWorkflow,
  SECRET,
  startIngressHarness,
} from './ingress-harness.js';
import {
  comparable,
  prng,
  recordStreamPipelines,
  releaseEvents,
  releaseStart,
  type StreamDelivery,
} from './support/release-stream.js';

/**
 * Storage outage: DynamoDB Local (with its data on disk) is stopped in the middle of a burst of
 * deliveries for one release and started again on the same port. While it is down ingress
 * answers 5xx (GitLab retries those); every delivery that got no 200 is resent with the same
 * Idempotency-Key, as GitLab does, and is accepted then. Afterwards nothing is lost or doubled:
 * every delivery is recorded exactly once, none was accepted twice, and the release is exactly
 * (field by field) what the same events produce in order on a table that never went away.
 */

const RELEASE_ID = '42-77';
const DISTINCT = 240;
const BURST = 8;
const FIXED_NOW = DateTime.fromISO('2024-11-12T12:00:00Z', { zone: 'utc' });

type Answer = { readonly status: number | 'reset'; readonly body: string };

describe('ingress while DynamoDB goes away and comes back', () => {
  let dataDir: string;
  let dynamo: DynamoLocal;
  let server: LocalHttpServer;
  let store: DynamoReleaseStore;
  let reference: IngressHarness;
  const agent = new Agent({ keepAlive: true, maxSockets: BURST });
  const clock = { now: () => FIXED_NOW };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'secrel-outage-'));
    dynamo = await startDynamoLocal({ dataDir });
    const raw = createDynamoClient({ endpoint: dynamo.endpoint });
    await ensureReleaseTable(raw, 'outage');
    store = new DynamoReleaseStore({ client: createDocumentClient(raw), tableName: 'outage' });
    server = await startHttpServer({
      webhook: {
        config: exampleConfig(),
        store,
        workflow: new RecordingWorkflow(),
        effects: new RecordingEffectDispatcher(),
        clock,
        logger: silentLogger,
        auth: { secrets: [SECRET], signingKeys: [] },
      },
    });
    reference = await startIngressHarness({ clock });
  }, 90_000);

  afterAll(async () => {
    agent.destroy();
    await Promise.all([server?.close(), reference?.close()]);
    await dynamo?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const send = (port: number, d: StreamDelivery): Promise<Answer> =>
    sendRaw(port, agent, {
      path: '/webhooks/gitlab',
      headers: gitlabHeaders(d.header, { idempotencyKey: d.key }),
      body: Buffer.from(d.body),
    });
  const answerStatus = (a: Answer): string => {
    try {
      return String((JSON.parse(a.body) as { status?: unknown }).status);
    } catch {
      return 'unreadable';
    }
  };

  it('answers 5xx while down, accepts the resends after, and loses or doubles nothing', async () => {
    const start = releaseStart();
    const events = releaseEvents(DISTINCT);
    for (const d of start) expect((await send(server.port, d)).status).toBe(200);
    for (const d of start) expect((await send(reference.server.port, d)).status).toBe(200);
    // secrel records each pipeline it starts before GitLab reports on it (pipeline provenance).
    await recordStreamPipelines(store, FIXED_NOW);
    await recordStreamPipelines(reference.store, FIXED_NOW);
    for (const d of events) expect((await send(reference.server.port, d)).status).toBe(200);

    const rand = prng(12);
    const histogram: Record<string, number> = {};
    const accepted = new Map<string, number>();
    const pending = new Set<StreamDelivery>();
    let requests = 0;
    const note = (d: StreamDelivery, a: Answer): void => {
      requests += 1;
      histogram[String(a.status)] = (histogram[String(a.status)] ?? 0) + 1;
      if (a.status === 200) {
        pending.delete(d);
        if (answerStatus(a) === 'accepted') accepted.set(d.key, (accepted.get(d.key) ?? 0) + 1);
      } else pending.add(d);
    };
    const bursts: StreamDelivery[][] = [];
    for (let i = 0; i < events.length; i += BURST) bursts.push(events.slice(i, i + BURST));
    const stopAt = Math.floor(bursts.length / 3);
    const restartAt = Math.floor((2 * bursts.length) / 3);
    let downStatuses: Record<string, number> = {};

    for (let b = 0; b < bursts.length; b++) {
      const burst = bursts[b] as StreamDelivery[];
      // The stop lands while a burst is in flight.
      const stopping = b === stopAt ? dynamo.stop() : undefined;
      const answers = await Promise.all(burst.map((d) => send(server.port, d)));
      burst.forEach((d, i) => {
        note(d, answers[i] as Answer);
      });
      await stopping;
      if (b > stopAt && b < restartAt)
        for (const a of answers) downStatuses[String(a.status)] = (downStatuses[String(a.status)] ?? 0) + 1;
      if (b === restartAt - 1) {
        dynamo = await startDynamoLocal({ dataDir, port: dynamo.port });
      }
      // Some deliveries GitLab retries at once, some later: resend a random few from time to time.
      if (b >= restartAt && rand() < 0.5) {
        const again = [...pending].slice(0, BURST);
        const answers2 = await Promise.all(again.map((d) => send(server.port, d)));
        again.forEach((d, i) => {
          note(d, answers2[i] as Answer);
        });
      }
    }
    downStatuses = Object.fromEntries(Object.entries(downStatuses).sort());
    // GitLab's retries: every delivery that got no 200, until none is left (bounded).
    for (let round = 0; round < 5 && pending.size > 0; round++) {
      const again = [...pending];
      const answers = await Promise.all(again.map((d) => send(server.port, d)));
      again.forEach((d, i) => {
        note(d, answers[i] as Answer);
      });
    }
    // And GitLab's duplicate deliveries of some that were fine: recognised, not applied again.
    const resentOk = events.filter(() => rand() < 0.2);
    for (const d of resentOk) note(d, await send(server.port, d));

    const recorded = await Promise.all(
      events.map(async (d) => {
        const plain = `idempotency-key:${d.key}`;
        return [
          await store.hasDelivery(plain),
          await store.hasDelivery(releaseDeliveryKey(plain, RELEASE_ID)),
        ];
      }),
    );
    const lost = recorded.filter(([plain, scoped]) => !plain && !scoped).length;
    const doubled = [...accepted.values()].filter((n) => n > 1).length;
    console.info(
      `storage outage: requests=${requests} http=${JSON.stringify(histogram)} while-down=${JSON.stringify(downStatuses)} ` +
        `distinct=${events.length} accepted=${accepted.size} lost=${lost} doubled=${doubled} left-pending=${pending.size}`,
    );
    // While DynamoDB was down (the bursts after the stop and before the restart) only 5xx answers.
    expect(Object.keys(downStatuses).every((s) => s === '500' || s === '503')).toBe(true);
    expect(Object.values(downStatuses).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    expect(histogram['500'] ?? 0).toBeGreaterThan(0);
    expect(pending.size).toBe(0);
    expect(lost).toBe(0);
    expect(doubled).toBe(0);
    expect(Object.keys(histogram).every((s) => s === '200' || s === '500')).toBe(true);

    const expected = await reference.store.get(RELEASE_ID);
    const actual = await store.get(RELEASE_ID);
    if (!expected || !actual) throw new Error('release missing');
    // The reference moved: the pipeline secrel started completed its task, nothing was refused.
    expect(expected.tasks['build-packages@17.5']?.status).toBe('done');
    expect(expected.refusedPipelineClaims ?? []).toEqual([]);
    for (const field of new Set([...Object.keys(expected), ...Object.keys(actual)])) {
      expect({ field, value: comparable(field, actual) }).toEqual({
        field,
        value: comparable(field, expected),
      });
    }
  }, 180_000);
});
