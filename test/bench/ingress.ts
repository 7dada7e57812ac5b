import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import {
  type DynamoDBClient,
  type TransactWriteItem,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { DateTime } from 'luxon';
import { loadLocalSettings } from '../../lib/adapters/config/load.js';
import {
  createDocumentClient,
  createDynamoClient,
  DynamoReleaseStore,
  ensureReleaseTable,
} from '../../lib/adapters/dynamo/index.js';
import { startDynamoLocal } from '../../lib/local/dynamo-local.js';
import { startHttpServer } from '../../lib/local/http-server.js';
import type { Workflow } from '../../lib/ports.js';
import { silentLogger } from '../../lib/services/logger.js';
import { releaseDeliveryKey } from '../../lib/services/release-apply.js';
import type { WebhookDeps } from '../../lib/services/types.js';
import { RecordingEffectDispatcher } from '../support/recording-effect-dispatcher.js';
import { record } from './results.js';
import type { SectionResult } from './run.js';

/**
 * Ingress benchmark (DESIGN.md §10), loopback only: DynamoDB Local and the local HTTP server,
 * N distinct realistic deliveries at concurrency C, then the same write requests replayed as
 * bare TransactWriteItems against DynamoDB Local for comparison. Bounded in count and time.
 */

const N = Number(process.env.BENCH_N ?? 1500);
/**
 * Concurrencies to measure, each in a run of its own: 1 is one delivery at a time; 4 is a busy
 * GitLab's handful of webhook workers; 16 a burst well past it, where DynamoDB Local on two cores
 * is itself the bottleneck.
 */
const CONCURRENCIES = (process.env.BENCH_C ?? '1,4,16').split(',').map(Number);
/**
 * Unmeasured transactions first: DynamoDB Local is a JVM, and for its first thousand or so requests
 * the JIT is still compiling. Measured cold, ingress (which runs first) paid for it and bare did not.
 */
const WARMUP = Number(process.env.BENCH_WARMUP ?? 1500);
const MAX_SECONDS = Number(process.env.BENCH_MAX_SECONDS ?? 120);
const SECRET = 'bench-webhook-secret';
const RELEASE = '42-77';
const READ_COMMANDS = new Set([
  'GetItemCommand',
  'QueryCommand',
  'ScanCommand',
  'BatchGetItemCommand',
  'TransactGetItemsCommand',
]);
const WRITE_COMMANDS = new Set([
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'TransactWriteItemsCommand',
  'BatchWriteItemCommand',
]);

type Json = Record<string, unknown>;

function fixture(name: string): Json {
  return JSON.parse(
    readFileSync(new URL(`../fixtures/gitlab/${name}.json`, import.meta.url), 'utf8'),
  ) as Json;
}

/** One delivery of the mix and what must be stored for it. */
interface Delivery {
  readonly header: string;
  readonly body: string;
  readonly key: string;
  /** Delivery record when it changed nothing. */
  readonly plain: string;
  /** Delivery record when it changed the release. */
  readonly scoped: string;
  /** Security MR iid the release must know afterwards. */
  readonly mr?: number;
}

const SECURITY_MRS = 10;
const VERSIONS = ['17-5-stable', '17-4-stable', '17-3-stable'];

/**
 * A release day's burst around one release with 10 security MRs over three versions: 30% MR
 * updates and 30% pipelines on their branches (both change the release), 15% review comments on
 * them, 25% unrelated pipelines and MRs elsewhere in the project.
 */
function buildDeliveries(count: number): Delivery[] {
  const mr = fixture('mr-opened-for-stable');
  const pipeline = fixture('pipeline-running-on-security-branch');
  const note = fixture('note-on-merge-request');
  const base = DateTime.fromISO('2024-11-12T10:00:00Z', { zone: 'utc' });
  const out: Delivery[] = [];
  for (let i = 0; i < count; i++) {
    const key = randomUUID();
    const at = base.plus({ seconds: i }).toISO() ?? '';
    // Shifted per block of 20 so every security MR gets updates.
    const n = (i + Math.floor(i / 20)) % SECURITY_MRS;
    const iid = 1001 + n;
    const source = `security-fix-${iid}`;
    const plain = `idempotency-key:${key}`;
    const scoped = releaseDeliveryKey(plain, RELEASE);
    const slot = i % 20;
    const body = structuredClone(slot < 6 || slot >= 17 ? mr : slot < 12 || slot >= 15 ? pipeline : note);
    const attrs = body.object_attributes as Json;
    if (slot < 6) {
      Object.assign(attrs, {
        iid,
        id: 70000 + n,
        updated_at: at,
        source_branch: source,
        target_branch: VERSIONS[n % 3],
      });
      out.push({ header: 'Merge Request Hook', body: JSON.stringify(body), key, plain, scoped, mr: iid });
    } else if (slot < 12) {
      Object.assign(attrs, { id: 800000 + i, ref: source, created_at: at, variables: [] });
      out.push({ header: 'Pipeline Hook', body: JSON.stringify(body), key, plain, scoped });
    } else if (slot < 15) {
      Object.assign(attrs, { id: 900000 + i });
      Object.assign(body.merge_request as Json, { iid });
      out.push({ header: 'Note Hook', body: JSON.stringify(body), key, plain, scoped });
    } else if (slot < 17) {
      Object.assign(attrs, { id: 700000 + i, ref: `feature-${i}`, created_at: at, variables: [] });
      out.push({ header: 'Pipeline Hook', body: JSON.stringify(body), key, plain, scoped });
    } else {
      Object.assign(attrs, {
        iid: 20000 + i,
        id: 600000 + i,
        updated_at: at,
        title: 'Unrelated change',
        description: 'Nothing to do with the release',
        target_branch: 'main',
      });
      out.push({ header: 'Merge Request Hook', body: JSON.stringify(body), key, plain, scoped });
    }
  }
  return out;
}

function headers(header: string, key: string): Record<string, string> {
  return {
    'content-type': 'application/json',
    'user-agent': 'GitLab/17.5.0',
    'x-gitlab-event': header,
    'x-gitlab-token': SECRET,
    'x-gitlab-instance': 'https://gitlab.example.com',
    'x-gitlab-event-uuid': randomUUID(),
    'idempotency-key': key,
  };
}

/** Counts write requests and keeps their inputs, so the bare run can replay the same items. */
export function countWrites(client: DynamoDBClient) {
  const seen = { writes: 0, reads: 0, rcu: 0, wcu: 0, recording: false, items: [] as TransactWriteItem[][] };
  // Asks every request for its consumed capacity and adds it up (initialize: before serialising).
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (!seen.recording) return next(args);
      const name = context.commandName ?? '';
      if (READ_COMMANDS.has(name)) seen.reads++;
      (args.input as { ReturnConsumedCapacity?: string }).ReturnConsumedCapacity = 'TOTAL';
      const result = await next(args);
      const consumed = (result.output as { ConsumedCapacity?: unknown }).ConsumedCapacity;
      for (const c of (Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) as {
        CapacityUnits?: number;
        ReadCapacityUnits?: number;
        WriteCapacityUnits?: number;
      }[]) {
        const read = c.ReadCapacityUnits ?? (READ_COMMANDS.has(name) ? (c.CapacityUnits ?? 0) : 0);
        const write = c.WriteCapacityUnits ?? (WRITE_COMMANDS.has(name) ? (c.CapacityUnits ?? 0) : 0);
        seen.rcu += read;
        seen.wcu += write;
      }
      return result;
    },
    { step: 'initialize', name: 'benchCapacityCounter' },
  );
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (seen.recording && WRITE_COMMANDS.has(context.commandName ?? '')) {
        seen.writes++;
        const input = args.input as {
          TransactItems?: TransactWriteItem[];
          Item?: TransactWriteItem['Put'] extends infer P ? (P extends { Item: infer I } ? I : never) : never;
          TableName?: string;
        };
        if (input.TransactItems) seen.items.push(input.TransactItems);
        else if (input.Item && input.TableName)
          seen.items.push([{ Put: { TableName: input.TableName, Item: input.Item } }]);
      }
      return next(args);
    },
    { step: 'build', name: 'benchWriteCounter' },
  );
  return seen;
}

/** Runs `count` jobs at concurrency `c`; returns each job's latency in ms and the wall time. */
async function drive(count: number, c: number, deadline: number, job: (i: number) => Promise<void>) {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: c }, async () => {
      while (next < count && Date.now() < deadline) {
        const i = next++;
        const t0 = performance.now();
        await job(i);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  return { latencies, seconds: (performance.now() - started) / 1000 };
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

const ms = (value: number) => `${value.toFixed(1)} ms`;
const mark = (ok: boolean) => (ok ? 'holds' : 'MISSED');

/** Strips conditions: the bare run measures the cost of writing the same items, nothing else. */
function bare(items: readonly TransactWriteItem[], table: string): TransactWriteItem[] {
  // Condition checks write nothing; they are dropped with the conditions.
  return items.flatMap((item) => {
    if (item.ConditionCheck) return [];
    if (item.Put) return { Put: { TableName: table, Item: item.Put.Item } };
    if (item.Update)
      return {
        Update: {
          TableName: table,
          Key: item.Update.Key,
          UpdateExpression: item.Update.UpdateExpression,
          ExpressionAttributeNames: item.Update.ExpressionAttributeNames,
          ExpressionAttributeValues: item.Update.ExpressionAttributeValues,
        },
      };
    return item;
  });
}

/**
 * Runs conditional transactions shaped like ingress's (a state item conditioned on its revision, a
 * delivery, a timeline entry) on a table of their own, so DynamoDB Local's JIT is warm before
 * either measured run starts.
 */
async function warmDynamo(raw: DynamoDBClient, count: number, c: number, deadline: number): Promise<void> {
  await drive(count, c, deadline, async (i) => {
    const pk = { S: `WARM#${i % 32}` };
    await raw
      .send(
        new TransactWriteItemsCommand({
          TransactItems: [
            {
              Put: {
                TableName: 'bench-warm',
                Item: { pk, sk: { S: 'STATE' }, revision: { N: String(i) } },
                ConditionExpression: 'attribute_not_exists(pk) OR revision < :r',
                ExpressionAttributeValues: { ':r': { N: String(i) } },
              },
            },
            {
              Put: {
                TableName: 'bench-warm',
                Item: { pk: { S: `DELIVERY#${i}` }, sk: { S: 'DELIVERY' } },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            { Put: { TableName: 'bench-warm', Item: { pk, sk: { S: `TIMELINE#${i}` } } } },
          ],
        }),
      )
      .catch(() => undefined); // collisions on the shared state items are part of the warm-up
  });
}

/** The ingress section of `npm run bench`: one run per concurrency in `BENCH_C`. */
export async function runIngressBench(): Promise<SectionResult> {
  let goalsHeld = true;
  let correct = true;
  for (const c of CONCURRENCIES) {
    if (!Number.isInteger(c) || c < 1) throw new Error(`BENCH_C: ${c} is not a positive whole number`);
    console.log(`-- concurrency ${c}`);
    const result = await runIngressAt(c);
    goalsHeld &&= result.goalsHeld;
    correct &&= result.correct;
  }
  return { goalsHeld, correct };
}

/** One measured ingress run, and the bare transactions of the same items, at concurrency `C`. */
async function runIngressAt(C: number): Promise<SectionResult> {
  const deadline = Date.now() + MAX_SECONDS * 1000;
  const dynamo = await startDynamoLocal();
  const raw = createDynamoClient({ endpoint: dynamo.endpoint });
  const counter = countWrites(raw);
  const server = await (async () => {
    await ensureReleaseTable(raw, 'bench-ingress');
    await ensureReleaseTable(raw, 'bench-bare');
    await ensureReleaseTable(raw, 'bench-warm');
    const store = new DynamoReleaseStore({ client: createDocumentClient(raw), tableName: 'bench-ingress' });
    const root = new URL('../../', import.meta.url).pathname;
    const { config } = loadLocalSettings({ SECREL_CONFIG: 'secrel.config.example.json' }, root);
    const signals: Workflow = {
      start: async () => {},
      sendTaskSuccess: async () => {},
      sendTaskFailure: async () => {},
      stop: async () => {},
    };
    const deps: WebhookDeps = {
      config,
      store,
      workflow: signals,
      effects: new RecordingEffectDispatcher(),
      clock: { now: () => DateTime.utc() },
      logger: silentLogger,
      auth: { secrets: [SECRET], signingKeys: [] },
    };
    return { http: await startHttpServer({ webhook: deps }), store };
  })();
  try {
    const url = `${server.http.url}/webhooks/gitlab`;
    const post = async (d: { header: string; body: string; key: string }) => {
      const res = await fetch(url, { method: 'POST', headers: headers(d.header, d.key), body: d.body });
      return { status: res.status, answer: ((await res.json()) as { status: string }).status };
    };
    const start = await post({
      header: 'Confidential Issue Hook',
      body: JSON.stringify(fixture('confidential-issue-labelled')),
      key: randomUUID(),
    });
    if (start.answer !== 'accepted') throw new Error(`the release did not start (${start.status})`);
    const before = await server.store.get(RELEASE);

    await warmDynamo(raw, WARMUP, C, deadline);
    // Warm up node's JIT and the connections; these deliveries are not measured.
    await drive(100, C, deadline, async (i) => {
      await post({
        header: 'Pipeline Hook',
        body: JSON.stringify({
          ...fixture('pipeline-running-on-security-branch'),
          object_attributes: {
            ...(fixture('pipeline-running-on-security-branch').object_attributes as Json),
            id: 7000000 + i,
            ref: `warm-${i}`,
            variables: [],
          },
        }),
        key: randomUUID(),
      });
    });

    const deliveries = buildDeliveries(N);
    const answers: string[] = [];
    counter.recording = true;
    const ingress = await drive(N, C, deadline, async (i) => {
      const d = deliveries[i];
      if (!d) return;
      const res = await post(d);
      answers[i] = res.status === 200 ? res.answer : `http ${res.status}`;
    });
    counter.recording = false;
    const sent = ingress.latencies.length;
    const accepted = answers.filter((a) => a === 'accepted').length;

    // Bare: the same write requests, replayed as unconditioned transactions at the same concurrency.
    const replays = counter.items.map((items) => bare(items, 'bench-bare'));
    let bareFailed = 0;
    const bareRun = await drive(replays.length, C, deadline, async (i) => {
      const items = replays[i];
      // Transactions on the one release item may collide here too; those are counted, not retried.
      if (items)
        await raw.send(new TransactWriteItemsCommand({ TransactItems: items })).catch(() => bareFailed++);
    });

    // Nothing lost or doubled: each delivery recorded exactly once (as a change or as nothing to
    // change), one release revision per recorded change, every security MR known, resends refused.
    const done = deliveries.slice(0, sent);
    const records = await Promise.all(
      done.map(async (d) => [
        await server.store.hasDelivery(d.plain),
        await server.store.hasDelivery(d.scoped),
      ]),
    );
    const once = records.filter(([plain, scoped]) => plain !== scoped).length;
    const changes = records.filter(([, scoped]) => scoped).length;
    const after = await server.store.get(RELEASE);
    const revisions = (after?.revision ?? 0) - (before?.revision ?? 0);
    const known = Array.from(
      { length: SECURITY_MRS },
      (_, n) => after?.mergeRequests[`42!${1001 + n}`],
    ).filter(Boolean).length;
    const resent = await Promise.all(done.slice(0, 100).map((d) => post(d)));
    const duplicates = resent.filter((r) => r.answer === 'duplicate').length;
    const afterResend = (await server.store.get(RELEASE))?.revision;
    const timeline = (await server.store.timeline(RELEASE)).length;

    const p50 = percentile(ingress.latencies, 50);
    const p95 = percentile(ingress.latencies, 95);
    const bareP95 = percentile(bareRun.latencies, 95);
    const p99 = percentile(ingress.latencies, 99);
    const bareP50 = percentile(bareRun.latencies, 50);
    const bareP99 = percentile(bareRun.latencies, 99);
    const rate = accepted / ingress.seconds;
    const bareRate = bareRun.latencies.length / bareRun.seconds;
    const writesPerEvent = counter.writes / Math.max(1, accepted);
    const complete = sent === N && bareRun.latencies.length === replays.length;
    const correct =
      complete &&
      accepted === sent &&
      once === sent &&
      revisions === changes &&
      known === SECURITY_MRS &&
      duplicates === resent.length &&
      afterResend === after?.revision;
    const goals = {
      p99: p99 <= 2 * bareP99 && p99 < 50,
      rate: rate >= bareRate / 2 && rate >= 200,
      writes: writesPerEvent <= 1,
    };

    console.log(
      `machine: ${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown cpu'}), node ${process.version}`,
    );
    console.log(
      `deliveries: ${sent}/${N} sent at concurrency ${C}; ${accepted} accepted (${changes} changed the release); mix 30% MR updates, 30% pipelines, 15% comments, 25% unrelated`,
    );
    console.log(`ingress ack:  p50 ${ms(p50)}  p99 ${ms(p99)}  ${rate.toFixed(0)} accepted/s`);
    console.log(
      `bare txn:     p50 ${ms(bareP50)}  p99 ${ms(bareP99)}  ${bareRate.toFixed(0)} txn/s  (${replays.length} replayed write requests, ${bareFailed} collided)`,
    );
    console.log(
      `ratios:       p99 ${(p99 / bareP99).toFixed(2)}x bare   rate ${(rate / bareRate).toFixed(2)}x bare`,
    );
    console.log(
      `writes:       ${counter.writes} DynamoDB write requests, ${writesPerEvent.toFixed(3)} per accepted event`,
    );
    console.log(
      `stored:       ${once}/${sent} deliveries recorded once; ${revisions} release revisions for ${changes} changes; ${known}/${SECURITY_MRS} security MRs; ${timeline} timeline entries`,
    );
    console.log(
      `resent:       ${duplicates}/${resent.length} answered duplicate; release revision ${afterResend === after?.revision ? 'unchanged' : 'CHANGED'}`,
    );
    console.log(`goal p99 <= 2x bare and < 50 ms: ${mark(goals.p99)}`);
    console.log(`goal rate >= half bare and >= 200/s: ${mark(goals.rate)}`);
    console.log(`goal 1 write request per accepted event: ${mark(goals.writes)}`);
    console.log(
      `goal nothing lost or doubled: ${mark(correct)}${complete ? '' : ' (time limit reached before all deliveries)'}`,
    );
    console.log(
      `reads:        ${counter.reads} DynamoDB read requests, ${(counter.reads / Math.max(1, accepted)).toFixed(3)} per accepted event; capacity ${(counter.rcu / Math.max(1, accepted)).toFixed(2)} RCU + ${(counter.wcu / Math.max(1, accepted)).toFixed(2)} WCU per accepted event`,
    );
    // Issue #12's goals: at C=4 p99 <= 1.5x bare and rate >= 1.0x bare; at C=16 rate >= 1.5x bare.
    const section = `ingress C=${C}`;
    const bareMs = (name: string, value: number) => ({ name: `bare ${name}`, value, unit: 'ms' });
    record({ section, name: 'ack p50', value: p50, unit: 'ms', comparison: bareMs('p50', bareP50) });
    record({ section, name: 'ack p95', value: p95, unit: 'ms', comparison: bareMs('p95', bareP95) });
    const p99Goal = C === 4 ? p99 <= 1.5 * bareP99 : undefined;
    record({
      section,
      name: 'ack p99',
      value: p99,
      unit: 'ms',
      comparison: bareMs('p99', bareP99),
      ...(C === 4 ? { goal: '<= 1.5x bare p99', holds: p99Goal } : {}),
    });
    const rateFactor = C === 4 ? 1.0 : C === 16 ? 1.5 : undefined;
    record({
      section,
      name: 'accepted events/s',
      value: rate,
      unit: '/s',
      comparison: { name: 'bare txn/s', value: bareRate, unit: '/s' },
      ...(rateFactor !== undefined
        ? { goal: `>= ${rateFactor.toFixed(1)}x bare`, holds: rate >= rateFactor * bareRate }
        : {}),
    });
    const per = (value: number) => value / Math.max(1, accepted);
    record({
      section,
      name: 'write requests / event',
      value: per(counter.writes),
      unit: '',
      goal: '<= 1',
      holds: goals.writes,
    });
    record({ section, name: 'read requests / event', value: per(counter.reads), unit: '' });
    record({ section, name: 'consumed WCU / event', value: per(counter.wcu), unit: 'WCU' });
    record({ section, name: 'consumed RCU / event', value: per(counter.rcu), unit: 'RCU' });
    record({
      section,
      name: 'lost or doubled',
      value: correct ? 0 : 1,
      unit: correct ? '(none)' : '(see log)',
      goal: 'none',
      holds: correct,
      note: `${once}/${sent} recorded once, ${duplicates}/${resent.length} resends refused`,
    });
    const issueGoals = (p99Goal ?? true) && (rateFactor === undefined || rate >= rateFactor * bareRate);
    return { goalsHeld: issueGoals && goals.writes && correct, correct };
  } finally {
    await server.http.close();
    raw.destroy();
    await dynamo.stop();
  }
}
