import { Agent } from 'node:http';
import * as fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FIXTURE_HEADERS,
  FIXTURE_NAMES,
  type FixtureName,
  loadFixture,
  loadFixtureText,
} from '../fixtures/gitlab/index.js';
import { type RawRequest, sendRaw } from '../support/raw-http.js';
import { gitlabHeaders, type IngressHarness, SECRET, startIngressHarness } from './ingress-harness.js';

/**
 * Hostile input, property-based (fast-check) over HTTP: 10,000 generated deliveries (random JSON,
 * mutated fixtures, kind/header mismatches, group-level work items, deep nesting, chunked bodies
 * over 1 MiB, duplicate and odd headers, wrong/missing tokens) against the real local server and
 * DynamoDB Local. Never a 5xx, never a dropped connection without an answer, the server still
 * healthy after; and no unauthenticated or refused delivery changes state: every delivery not
 * answered 200 is sent again to a second, identically seeded table, which must stay exactly as it
 * was (item by item).
 *
 * Seed: FUZZ_SEED (default fixed, so a failure reproduces); the histogram is printed.
 */

const SEED = Number(process.env.FUZZ_SEED ?? 1212);
const CASES = 10_000;
const CONCURRENCY = 16;
const MIB = 1024 * 1024;

const KNOWN_HEADERS = [...new Set(Object.values(FIXTURE_HEADERS)), 'Issue Hook', 'Note Hook'] as const;

type TokenCase = 'correct' | 'wrong' | 'missing' | 'duplicate' | 'empty';

interface FuzzCase {
  readonly label: string;
  readonly token: TokenCase;
  readonly request: RawRequest;
  /** Status the case must get, when the case decides it alone. */
  readonly expect?: readonly number[];
}

/** Every path (keys and indexes) in a JSON value, for mutating fixtures at any depth. */
function pathsOf(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [];
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      out.push([...prefix, i], ...pathsOf(item, [...prefix, i]));
    });
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value))
      out.push([...prefix, key], ...pathsOf(item, [...prefix, key]));
  }
  return out;
}

function setAt(body: unknown, path: readonly (string | number)[], value: unknown, remove: boolean): unknown {
  let parent = body as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = path.at(-1) as string | number;
  if (remove) delete parent[last];
  else parent[last] = value;
  return body;
}

/** `[[[…]]]` or `{"a":{"a":…}}` `depth` levels deep, as text (never built as an object here). */
function deepText(depth: number, objects: boolean): string {
  return objects
    ? `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`
    : `${'['.repeat(depth)}${']'.repeat(depth)}`;
}

const fixtureArb = fc.constantFrom(...FIXTURE_NAMES);
const tokenArb = fc.constantFrom<TokenCase>(
  ...([
    'correct',
    'correct',
    'correct',
    'correct',
    'correct',
    'correct',
    'wrong',
    'missing',
    'duplicate',
    'empty',
  ] as const),
);
const contentTypeArb = fc.constantFrom(
  ...Array<string>(12).fill('application/json'),
  'application/json; charset=utf-8',
  'APPLICATION/JSON',
  'text/plain',
  'application/x-www-form-urlencoded',
  '',
);
const eventHeaderArb = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...KNOWN_HEADERS) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'Push Hook',
      'Job Hook',
      'issue hook',
      ' Issue Hook ',
      'Issue Hook, Issue Hook',
    ),
  },
  {
    weight: 1,
    arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 30 }).map((s) => s.replace(/[\r\n]/g, '')),
  },
);
/** Header values node's client accepts: visible ASCII, space and tab, plus latin-1 bytes. */
const oddValueArb = fc.string({ maxLength: 60 }).map((s) => s.replace(/[^\t\x20-\x7e\xa0-\xff]/g, '?'));
const oddNameArb = fc.stringMatching(/^[a-z][a-z0-9!#$%&'*+.^_`|~-]{0,20}$/);
const idempotencyArb = fc.oneof(
  fc.constant(undefined),
  fc.uuid(),
  fc.constantFrom('dup-1', 'dup-2', 'dup-3'),
  fc.constant('k'.repeat(500)),
);

type BodyPlan =
  | { readonly kind: 'fixture'; readonly name: FixtureName }
  | { readonly kind: 'mismatch'; readonly name: FixtureName }
  | {
      readonly kind: 'mutated';
      readonly name: FixtureName;
      readonly pick: number;
      readonly value: unknown;
      readonly remove: boolean;
    }
  | { readonly kind: 'random-json'; readonly value: unknown }
  | { readonly kind: 'garbage'; readonly text: string }
  | { readonly kind: 'truncated'; readonly name: FixtureName; readonly at: number }
  | {
      readonly kind: 'group-level';
      readonly note: boolean;
      readonly absent: boolean;
      readonly workItem: boolean;
    }
  | { readonly kind: 'deep'; readonly depth: number; readonly objects: boolean; readonly inside: boolean }
  | { readonly kind: 'huge'; readonly bytes: number; readonly declared: boolean; readonly pieces: number };

const bodyPlanArb: fc.Arbitrary<BodyPlan> = fc.oneof(
  { weight: 100, arbitrary: fixtureArb.map((name) => ({ kind: 'fixture' as const, name })) },
  { weight: 100, arbitrary: fixtureArb.map((name) => ({ kind: 'mismatch' as const, name })) },
  {
    weight: 350,
    arbitrary: fc.record({
      kind: fc.constant('mutated' as const),
      name: fixtureArb,
      pick: fc.nat(),
      value: fc.jsonValue({ maxDepth: 3 }),
      remove: fc.boolean(),
    }),
  },
  {
    weight: 100,
    arbitrary: fc.jsonValue({ maxDepth: 4 }).map((value) => ({ kind: 'random-json' as const, value })),
  },
  {
    weight: 50,
    arbitrary: fc.string({ maxLength: 200 }).map((text) => ({ kind: 'garbage' as const, text })),
  },
  {
    weight: 50,
    arbitrary: fc.record({ kind: fc.constant('truncated' as const), name: fixtureArb, at: fc.nat() }),
  },
  {
    weight: 100,
    arbitrary: fc.record({
      kind: fc.constant('group-level' as const),
      note: fc.boolean(),
      absent: fc.boolean(),
      workItem: fc.boolean(),
    }),
  },
  {
    weight: 30,
    arbitrary: fc.record({
      kind: fc.constant('deep' as const),
      depth: fc.integer({ min: 1_000, max: 100_000 }),
      objects: fc.boolean(),
      inside: fc.boolean(),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('huge' as const),
      bytes: fc.integer({ min: MIB + 1, max: 2 * MIB }),
      declared: fc.boolean(),
      pieces: fc.integer({ min: 2, max: 64 }),
    }),
  },
);

const caseArb = fc.record({
  plan: bodyPlanArb,
  token: tokenArb,
  contentType: contentTypeArb,
  eventHeader: eventHeaderArb,
  ownHeader: fc.boolean(),
  idempotencyKey: idempotencyArb,
  odd: fc.array(fc.tuple(oddNameArb, oddValueArb), { maxLength: 3 }),
  duplicateEvent: fc.nat(9).map((n) => n === 0),
});

/** Body text and the header a plan is sent under (its own, another, or the generated one). */
function buildBody(
  plan: BodyPlan,
  eventHeader: string,
  ownHeader: boolean,
): { header: string; body: Buffer | Buffer[]; expect?: number[] } {
  switch (plan.kind) {
    case 'fixture':
      return {
        header: ownHeader ? FIXTURE_HEADERS[plan.name] : eventHeader,
        body: Buffer.from(loadFixtureText(plan.name)),
      };
    case 'mismatch': {
      // A payload under a handled header of another kind: object_kind does not match.
      const own = FIXTURE_HEADERS[plan.name];
      const other = KNOWN_HEADERS.find((h) => !sameKind(h, own)) ?? 'Pipeline Hook';
      return { header: other, body: Buffer.from(loadFixtureText(plan.name)), expect: [400] };
    }
    case 'mutated': {
      const body = loadFixture(plan.name);
      const paths = pathsOf(body);
      const path = paths[plan.pick % paths.length] ?? ['object_kind'];
      setAt(body, path, plan.value, plan.remove);
      return {
        header: ownHeader ? FIXTURE_HEADERS[plan.name] : eventHeader,
        body: Buffer.from(JSON.stringify(body)),
      };
    }
    case 'random-json':
      return { header: eventHeader, body: Buffer.from(JSON.stringify(plan.value) ?? 'null') };
    case 'garbage':
      return { header: eventHeader, body: Buffer.from(plan.text) };
    case 'truncated': {
      const text = loadFixtureText(plan.name);
      return {
        header: FIXTURE_HEADERS[plan.name],
        body: Buffer.from(text.slice(0, plan.at % Math.max(1, text.length - 2))),
      };
    }
    case 'group-level': {
      const name: FixtureName = plan.note ? 'note-on-merge-request' : 'confidential-issue-labelled';
      const body = loadFixture(name) as Record<string, unknown>;
      if (plan.absent) delete body.project;
      else body.project = null;
      if (!plan.note && plan.workItem) body.object_kind = 'work_item';
      return { header: FIXTURE_HEADERS[name], body: Buffer.from(JSON.stringify(body)), expect: [202] };
    }
    case 'deep': {
      const deep = deepText(plan.depth, plan.objects);
      if (!plan.inside) return { header: eventHeader, body: Buffer.from(deep) };
      // Nested inside an otherwise valid payload's unread field, and as a label title.
      const text = loadFixtureText('mr-opened-for-stable').trimEnd();
      return {
        header: 'Merge Request Hook',
        body: Buffer.from(`${text.slice(0, -1)}, "secrel_fuzz_deep": ${deep}}`),
      };
    }
    case 'huge': {
      const total = Buffer.alloc(plan.bytes, 0x20);
      Buffer.from('{"object_kind":"issue","pad":"').copy(total);
      if (plan.declared) return { header: 'Issue Hook', body: total, expect: [413] };
      const size = Math.ceil(plan.bytes / plan.pieces);
      const pieces: Buffer[] = [];
      for (let at = 0; at < plan.bytes; at += size) pieces.push(total.subarray(at, at + size));
      return { header: 'Issue Hook', body: pieces, expect: [413] };
    }
  }
}

function sameKind(a: string, b: string): boolean {
  const base = (h: string): string => h.replace('Confidential ', '');
  return base(a) === base(b);
}

/** One generated delivery, before it becomes bytes. */
type CaseSample = typeof caseArb extends fc.Arbitrary<infer T> ? T : never;

function toCase(sample: CaseSample): FuzzCase {
  const built = buildBody(sample.plan, sample.eventHeader, sample.ownHeader);
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of sample.odd) {
    if (
      ![
        'content-length',
        'transfer-encoding',
        'host',
        'connection',
        'x-gitlab-token',
        'content-type',
      ].includes(name)
    )
      headers[name] = value;
  }
  const base = gitlabHeaders(built.header, { idempotencyKey: sample.idempotencyKey });
  for (const [name, value] of Object.entries(base)) headers[name] = value;
  if (sample.idempotencyKey === undefined) delete headers['idempotency-key'];
  if (sample.contentType === '') delete headers['content-type'];
  else headers['content-type'] = sample.contentType;
  if (sample.duplicateEvent) headers['x-gitlab-event'] = [built.header, built.header];
  switch (sample.token) {
    case 'correct':
      break;
    case 'wrong':
      headers['x-gitlab-token'] = `${SECRET}x`;
      break;
    case 'missing':
      delete headers['x-gitlab-token'];
      break;
    case 'duplicate':
      headers['x-gitlab-token'] = [SECRET, SECRET];
      break;
    case 'empty':
      headers['x-gitlab-token'] = '';
      break;
  }
  const oversized = sample.plan.kind === 'huge';
  const unauthenticated = sample.token !== 'correct';
  return {
    label: sample.plan.kind,
    token: sample.token,
    request: { path: '/webhooks/gitlab', headers, body: built.body },
    // The size limit is checked first; then who sent it; then the rest.
    expect: oversized ? [413] : unauthenticated ? [401] : caseExpectation(sample, built.expect),
  };
}

function caseExpectation(sample: CaseSample, expected: number[] | undefined): number[] | undefined {
  const jsonType = ['application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON'].includes(
    sample.contentType,
  );
  if (!jsonType) return [415];
  if (sample.duplicateEvent) return [202]; // "Issue Hook, Issue Hook" is no kind secrel handles
  return expected;
}

async function runPool<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await work(items[index] as T);
      }
    }),
  );
  return results;
}

describe('ingress under hostile input (fast-check, over HTTP)', () => {
  let target: IngressHarness;
  let control: IngressHarness;
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });

  beforeAll(async () => {
    [target, control] = await Promise.all([startIngressHarness(), startIngressHarness()]);
    // Both tables hold the same release, so mutated MR, pipeline and note payloads route to it.
    for (const h of [target, control]) {
      const body = loadFixtureText('confidential-issue-labelled');
      expect((await h.post(body, gitlabHeaders('Confidential Issue Hook'))).status).toBe(200);
    }
  });
  afterAll(async () => {
    agent.destroy();
    await Promise.all([target?.close(), control?.close()]);
  });

  it('answers 202 ignored over HTTP to group-level work items and comments (project null or absent)', async () => {
    const before = await target.snapshot();
    for (const [name, header] of [
      ['confidential-issue-labelled', 'Issue Hook'],
      ['confidential-issue-labelled', 'Confidential Issue Hook'],
      ['note-on-merge-request', 'Note Hook'],
      ['note-on-merge-request', 'Confidential Note Hook'],
    ] as const) {
      for (const project of [null, undefined]) {
        const body = loadFixture(name) as Record<string, unknown>;
        if (project === undefined) delete body.project;
        else body.project = null;
        if (name === 'confidential-issue-labelled') body.object_kind = 'work_item';
        const res = await target.post(JSON.stringify(body), gitlabHeaders(header));
        expect(res).toEqual({ status: 202, json: { status: 'ignored' } });
      }
    }
    expect(await target.snapshot()).toEqual(before);
  });

  it('survives 10,000 generated deliveries: no 5xx, no unanswered request, no state change from a refused one', async () => {
    const samples = fc.sample(caseArb, { numRuns: CASES, seed: SEED });
    const cases = samples.map(toCase);
    const answers = await runPool(cases, CONCURRENCY, (c) => sendRaw(target.server.port, agent, c.request));

    const histogram: Record<string, number> = {};
    const byClass: Record<string, Record<string, number>> = {};
    const failures: string[] = [];
    cases.forEach((c, i) => {
      const status = String((answers[i] as { status: number | 'reset' }).status);
      histogram[status] = (histogram[status] ?? 0) + 1;
      const cls = c.token === 'correct' ? c.label : `token-${c.token}`;
      byClass[cls] ??= {};
      (byClass[cls] as Record<string, number>)[status] =
        ((byClass[cls] as Record<string, number>)[status] ?? 0) + 1;
      const answer = answers[i] as { status: number | 'reset'; body: string };
      if (
        answer.status === 'reset' ||
        answer.status >= 500 ||
        (c.expect && !c.expect.includes(answer.status))
      )
        failures.push(
          `#${i} ${cls} -> ${answer.status} (expected ${c.expect?.join('/') ?? '<500'}) ${answer.body.slice(0, 120)}`,
        );
    });
    console.info(`ingress fuzz seed=${SEED} cases=${CASES} histogram=${JSON.stringify(histogram)}`);
    console.info(`ingress fuzz by class=${JSON.stringify(byClass)}`);
    expect(failures.slice(0, 20)).toEqual([]);

    // Everything not accepted is sent again to the control table: it must not change at all.
    const refused = cases.filter((_, i) => (answers[i] as { status: number | 'reset' }).status !== 200);
    const before = await control.snapshot();
    const again = await runPool(refused, CONCURRENCY, (c) => sendRaw(control.server.port, agent, c.request));
    const changedStatus = again.filter((a, i) => {
      const first = refused[i] as FuzzCase;
      return a.status === 200 || (first.expect !== undefined && !first.expect.includes(a.status as number));
    });
    expect(changedStatus).toEqual([]);
    expect(await control.snapshot()).toEqual(before);
    console.info(
      `ingress fuzz replayed ${refused.length} refused or ignored deliveries to the control table: unchanged`,
    );

    // Still alive and answering after all of it.
    const health = await fetch(`${target.server.url}/healthz`);
    expect(health.status).toBe(200);
    const body = loadFixtureText('mr-opened-for-stable');
    expect((await target.post(body, gitlabHeaders('Merge Request Hook'))).status).toBe(200);
  }, 240_000);
});
