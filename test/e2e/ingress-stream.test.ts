import { Agent } from 'node:http';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReleaseState } from '../../lib/core/types/release.js';
import { sendRaw } from '../support/raw-http.js';
import { gitlabHeaders, type IngressHarness, startIngressHarness } from './ingress-harness.js';
import {
  comparable,
  disorderly,
  recordStreamPipelines,
  releaseEvents,
  releaseStart,
  type StreamDelivery,
} from './support/release-stream.js';

/**
 * Duplicates and ordering: 1,000 deliveries for one release (every handled kind, 30 % of them
 * resends, 20 % moved out of order, bursts of up to 24 sent at once) end in exactly the state the
 * same events produce once each, in order, one at a time. Both runs use the same fixed clock, so
 * every time secrel stamps is comparable; the release state is compared field by field, and the
 * rest of the table (routing keys, delivery records) item by item.
 */

const RELEASE_ID = '42-77';
const TOTAL = 1_000;
const DISTINCT = 700; // 300 resends make 30 % of the 1,000
const SEED = Number(process.env.STREAM_SEED ?? 7);
const FIXED_NOW = DateTime.fromISO('2024-11-12T12:00:00Z', { zone: 'utc' });

type Answer = { readonly status: number | 'reset'; readonly body: string };

describe('a duplicated, reordered, concurrent stream for one release', () => {
  let inOrder: IngressHarness;
  let stream: IngressHarness;
  const agent = new Agent({ keepAlive: true, maxSockets: 32 });

  beforeAll(async () => {
    const clock = { now: () => FIXED_NOW };
    [inOrder, stream] = await Promise.all([startIngressHarness({ clock }), startIngressHarness({ clock })]);
  });
  afterAll(async () => {
    agent.destroy();
    await Promise.all([inOrder?.close(), stream?.close()]);
  });

  function send(h: IngressHarness, d: StreamDelivery): Promise<Answer> {
    return sendRaw(h.server.port, agent, {
      path: '/webhooks/gitlab',
      headers: gitlabHeaders(d.header, { idempotencyKey: d.key }),
      body: Buffer.from(d.body),
    });
  }

  it('ends in the state of the same events in order, once each', async () => {
    const start = releaseStart();
    const events = releaseEvents(DISTINCT);
    expect(new Set(events.map((e) => e.key)).size).toBe(DISTINCT);
    const kinds = new Set(events.map((e) => e.header));
    expect([...kinds].sort()).toEqual([
      'Confidential Issue Hook',
      'Confidential Note Hook',
      'Deployment Hook',
      'Merge Request Hook',
      'Pipeline Hook',
      'Release Hook',
      'Tag Push Hook',
    ]);

    // The release exists before the stream in both runs: an MR naming it cannot join a release
    // that has not started (that is routing, not ordering).
    for (const h of [inOrder, stream]) for (const d of start) expect((await send(h, d)).status).toBe(200);
    // secrel records each pipeline it starts before GitLab reports on it (pipeline provenance).
    for (const h of [inOrder, stream]) await recordStreamPipelines(h.store, FIXED_NOW);

    const reference: Record<string, number> = {};
    for (const d of events) {
      const answer = await send(inOrder, d);
      reference[String(answer.status)] = (reference[String(answer.status)] ?? 0) + 1;
    }
    expect(reference).toEqual({ 200: DISTINCT });

    const bursts = disorderly(events, { seed: SEED, total: TOTAL, reorderShare: 0.2, maxBurst: 24 });
    expect(bursts.flat()).toHaveLength(TOTAL);
    const histogram: Record<string, number> = {};
    const answers: Record<string, string[]> = {};
    for (const burst of bursts) {
      const results = await Promise.all(burst.map((d) => send(stream, d)));
      results.forEach((answer, i) => {
        histogram[String(answer.status)] = (histogram[String(answer.status)] ?? 0) + 1;
        const key = (burst[i] as StreamDelivery).key;
        answers[key] = [...(answers[key] ?? []), statusOf(answer)];
      });
    }
    const accepted = Object.values(answers).filter((list) => list.includes('accepted')).length;
    const twice = Object.entries(answers).filter(
      ([, list]) => list.filter((s) => s === 'accepted').length > 1,
    );
    console.info(
      `stream seed=${SEED} deliveries=${TOTAL} distinct=${DISTINCT} bursts=${bursts.length} http=${JSON.stringify(histogram)} ` +
        `accepted-once=${accepted} accepted-twice=${twice.length}`,
    );
    expect(histogram).toEqual({ 200: TOTAL });
    // Each distinct delivery is accepted exactly once; every resend is recognised as a duplicate.
    expect(twice).toEqual([]);
    expect(accepted).toBe(DISTINCT);

    const expected = await releaseOf(inOrder);
    const actual = await releaseOf(stream);
    // The reference did move: MRs joined and merged, tasks done by commands, pipelines and deployments kept.
    const mrs = Object.values(expected.mergeRequests);
    expect(mrs).toHaveLength(41);
    expect(mrs.every((mr) => mr.state === 'merged')).toBe(true);
    expect(Object.keys(expected.deployments).sort()).toEqual(['production', 'staging']);
    expect(Object.keys(expected.pipelines).length).toBe(2);
    const byCommand = Object.entries(expected.tasks).filter(([, t]) => t.via === 'command');
    expect(byCommand.map(([key]) => key).sort()).toEqual([
      'contact-package-maintainers',
      'pre-announcement',
      'request-cve',
    ]);
    expect(expected.tasks['build-packages@17.5']?.status).toBe('done');
    expect(expected.tasks['build-packages@17.4']).toMatchObject({
      status: 'open',
      lastPipeline: { pipelineId: 6001, status: 'failed' },
    });
    // Every pipeline in the stream was one secrel started, so none was refused.
    expect(expected.refusedPipelineClaims ?? []).toEqual([]);
    expect(expected.handledNotes).toHaveLength(81);
    // Field by field, so a difference names its field.
    for (const field of new Set([...Object.keys(expected), ...Object.keys(actual)])) {
      expect({ field, value: comparable(field, actual) }).toEqual({
        field,
        value: comparable(field, expected),
      });
    }
    expect(await otherItems(stream)).toEqual(await otherItems(inOrder));
  }, 180_000);
});

function statusOf(answer: Answer): string {
  try {
    return String((JSON.parse(answer.body) as { status?: unknown }).status);
  } catch {
    return String(answer.status);
  }
}

async function releaseOf(h: IngressHarness): Promise<ReleaseState> {
  const state = await h.store.get(RELEASE_ID);
  if (!state) throw new Error('release missing');
  return state;
}

/**
 * Routing keys and delivery records, item by item. Timeline entries are left out: they narrate
 * each stored change, and a stale event that arrives late is (rightly) no change to narrate.
 * A delivery that changed a release is recorded under its release-scoped key (`…@42-77`), one
 * that changed nothing under its plain key; which of the two depends on whether a newer fact had
 * already arrived, so the suffix is dropped: every delivery must be recorded, once.
 */
async function otherItems(h: IngressHarness): Promise<unknown[]> {
  const items = await h.snapshot();
  return items
    .filter((item) => {
      const pk = String(item.pk);
      return pk.startsWith('ROUTE#') || pk.startsWith('DELIVERY#');
    })
    .map((item) => ({ pk: String(item.pk).replace(new RegExp(`@${RELEASE_ID}$`), ''), sk: item.sk }))
    .sort((a, b) => a.pk.localeCompare(b.pk));
}
