import type { DateTime } from 'luxon';
import { DEFAULT_PLAYBOOK } from '../../../lib/core/default-playbook.js';
import { recordStartedPipeline } from '../../../lib/core/pipeline-provenance.js';
import { settle } from '../../../lib/core/transitions.js';
import type { ReleaseState } from '../../../lib/core/types/release.js';
import type { ReleaseStore } from '../../../lib/ports.js';
import { withRevisionRetry } from '../../../lib/services/release-writer.js';
import { loadFixture } from '../../fixtures/gitlab/index.js';

/**
 * Test-only: a generated stream of GitLab deliveries for one release (release 42-77, started by
 * the labelled confidential issue #77), built from the project's fixtures. Every handled kind
 * appears: merge requests moving opened -> updated -> merged, pipelines secrel started (in the
 * configured project, recorded first) moving created -> pending -> running -> success or failed, deployments, `/secrel` commands, issue updates, tag
 * pushes and GitLab releases. Within one MR, pipeline or deployment the GitLab timestamps (or
 * ids) grow, as GitLab's do, so the newest fact is recognisable whatever order deliveries take.
 */

/** One distinct delivery: its header, body and the Idempotency-Key its resends keep. */
export interface StreamDelivery {
  readonly key: string;
  readonly header: string;
  readonly body: string;
}

/** Small deterministic PRNG (mulberry32), so a failing stream can be replayed from its seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Json = Record<string, unknown>;
const attrs = (body: Json): Json => body.object_attributes as Json;

const BASE = Date.parse('2024-11-12T10:00:00Z');
const at = (minutes: number): string => new Date(BASE + minutes * 60_000).toISOString();
/** GitLab's pipeline/note timestamp format. */
const gitlabAt = (minutes: number): string => `${at(minutes).slice(0, 19).replace('T', ' ')} UTC`;

/** The delivery that starts the release (sent first, alone, in every run). */
export function releaseStart(): StreamDelivery[] {
  return [
    {
      key: 'start-issue',
      header: 'Confidential Issue Hook',
      body: JSON.stringify(loadFixture('confidential-issue-labelled')),
    },
    note('start-versions', 5_000, '/secrel versions 17.5, 17.4', 'sam.seclead', 1),
  ];
}

function note(key: string, id: number, text: string, user: string, minute: number): StreamDelivery {
  const body = loadFixture('note-secrel-done-request-cve') as Json;
  const a = attrs(body);
  a.id = 90_000 + id;
  a.note = text;
  a.created_at = gitlabAt(minute);
  a.url = `https://gitlab.example.com/acme/product/-/issues/77#note_${90_000 + id}`;
  (body.issue as Json).iid = 77;
  (body.user as Json).username = user;
  return { key, header: 'Confidential Note Hook', body: JSON.stringify(body) };
}

/** The project the example config runs build-packages in (`acme/omnibus`, on `{version}-stable`). */
export const OMNIBUS = { id: 4242, path: 'acme/omnibus' } as const;

/**
 * The pipelines secrel starts for release 42-77 (one per version's build-packages task), with how
 * each ends. Since pipeline provenance, only a pipeline secrel recorded starting completes a task,
 * so a run records these (recordStreamPipelines) before GitLab's events for them are sent.
 */
export const STARTED_PIPELINES = [
  { version: '17.5', pipelineId: 6000, ref: '17-5-stable', outcome: 'success' },
  { version: '17.4', pipelineId: 6001, ref: '17-4-stable', outcome: 'failed' },
] as const;

/** Records on release 42-77 what the build-packages action records when it starts each stream pipeline. */
export async function recordStreamPipelines(
  store: Pick<ReleaseStore, 'get' | 'commit'>,
  now: DateTime,
): Promise<void> {
  const ctx = { playbook: DEFAULT_PLAYBOOK, now };
  for (const p of STARTED_PIPELINES) {
    const started = { projectId: OMNIBUS.id, pipelineId: p.pipelineId, ref: p.ref };
    const key = `build-packages@${p.version}`;
    const done = await withRevisionRetry(store, '42-77', (state) => {
      const change = state && recordStartedPipeline(state, key, started, ctx);
      const applied = state && change && settle(state, { ...change, effects: [] }, ctx, 'secrel');
      return applied?.changed ? { state: applied.state, timeline: applied.timeline } : undefined;
    });
    if (done === undefined) throw new Error(`could not record pipeline ${p.pipelineId} for ${key}`);
  }
}

/**
 * `distinct` deliveries (before duplication) in the order GitLab produced them. The mix is fixed
 * by the counts below and filled with MR updates.
 */
export function releaseEvents(distinct: number): StreamDelivery[] {
  const out: StreamDelivery[] = [];
  let minute = 10;
  const tick = (): number => minute++;

  // Pipelines secrel started (see STARTED_PIPELINES): one build-packages per version in the
  // configured target, statuses advancing; 17.5's succeeds, 17.4's fails.
  const pipelines: StreamDelivery[][] = [];
  for (const started of STARTED_PIPELINES) {
    const version = started.version;
    const id = started.pipelineId;
    const steps: StreamDelivery[] = [];
    for (const status of ['created', 'pending', 'running', started.outcome]) {
      const body = loadFixture('pipeline-secrel-build-packages') as Json;
      const a = attrs(body);
      a.id = id;
      a.status = status;
      a.detailed_status = status;
      a.ref = started.ref;
      body.project = { ...(body.project as Json), id: OMNIBUS.id, path_with_namespace: OMNIBUS.path };
      const created = tick();
      a.created_at = gitlabAt(created);
      a.finished_at = ['success', 'failed'].includes(status) ? gitlabAt(tick()) : null;
      a.variables = [
        { key: 'SECREL_RELEASE_ID', value: '42-77' },
        { key: 'SECREL_ACTION', value: 'build-packages' },
        { key: 'SECREL_VERSION', value: version },
      ];
      steps.push({ key: `pipeline-${id}-${status}`, header: 'Pipeline Hook', body: JSON.stringify(body) });
    }
    pipelines.push(steps);
  }

  // Deployments: staging and production, ids growing, running then success (the last one failed).
  const deployments: StreamDelivery[][] = [];
  for (let d = 0; d < 30; d++) {
    const environment = d % 2 === 0 ? 'staging' : 'production';
    const id = 3400 + d;
    const steps: StreamDelivery[] = [];
    for (const status of ['running', d === 29 ? 'failed' : 'success']) {
      const body = loadFixture('deployment-staging') as Json;
      body.deployment_id = id;
      body.status = status;
      body.environment = environment;
      body.environment_tier = environment;
      body.environment_slug = environment;
      body.status_changed_at = `${at(tick()).slice(0, 19).replace('T', ' ')} +0000`;
      steps.push({
        key: `deployment-${id}-${status}`,
        header: 'Deployment Hook',
        body: JSON.stringify(body),
      });
    }
    deployments.push(steps);
  }

  // Commands: status from anyone, three manual tasks done by the security lead, one refused.
  const notes: StreamDelivery[] = [];
  const commands: [string, string][] = [
    ['/secrel done pre-announcement', 'sam.seclead'],
    ['/secrel done contact-package-maintainers', 'sam.seclead'],
    ['/secrel done request-cve', 'sam.seclead'],
    ['/secrel done request-cve', 'dana.dev'],
  ];
  for (let n = 0; n < 80; n++) {
    const [text, user] = commands[n] ?? ['/secrel status', n % 2 === 0 ? 'riley.rm' : 'dana.dev'];
    notes.push(note(`note-${n}`, n, text, user, tick()));
  }

  // Issue updates of the vulnerability issue (routed, change nothing), tag pushes and releases (before the publish gate: refused as proof, state unchanged).
  const others: StreamDelivery[] = [];
  for (let i = 0; i < 30; i++) {
    const body = loadFixture('confidential-issue-labelled') as Json;
    attrs(body).updated_at = at(tick());
    others.push({ key: `issue-${i}`, header: 'Confidential Issue Hook', body: JSON.stringify(body) });
  }
  for (let i = 0; i < 15; i++) {
    const tag = loadFixture('tag-push') as Json;
    tag.ref = `refs/tags/v17.5.${100 + i}`;
    others.push({ key: `tag-${i}`, header: 'Tag Push Hook', body: JSON.stringify(tag) });
    const release = loadFixture('release-created') as Json;
    release.tag = `v17.5.${100 + i}`;
    others.push({ key: `release-${i}`, header: 'Release Hook', body: JSON.stringify(release) });
  }

  // Merge requests fill the rest: each opened, updated a number of times, merged.
  const fixed = pipelines.flat().length + deployments.flat().length + notes.length + others.length;
  const mrEvents = Math.max(0, distinct - fixed);
  const mrCount = Math.max(1, Math.floor(mrEvents / 12));
  const mrs: StreamDelivery[][] = Array.from({ length: mrCount }, () => []);
  for (let e = 0; e < mrEvents; e++) {
    const m = e % mrCount;
    const steps = mrs[m] as StreamDelivery[];
    const total = Math.floor(mrEvents / mrCount) + (m < mrEvents % mrCount ? 1 : 0);
    const step = steps.length;
    const body = loadFixture('mr-opened-for-stable') as Json;
    const a = attrs(body);
    const iid = 200 + m;
    const target = ['17-5-stable', '17-4-stable', 'main'][m % 3] as string;
    a.iid = iid;
    a.id = 10_000 + iid;
    a.target_branch = target;
    a.source_branch = `security-fix-${iid}`;
    a.url = `https://gitlab.example.com/acme/product/-/merge_requests/${iid}`;
    const last = step === total - 1;
    a.state = last ? 'merged' : 'opened';
    a.action = step === 0 ? 'open' : last ? 'merge' : 'update';
    a.updated_at = at(tick());
    steps.push({ key: `mr-${iid}-${step}`, header: 'Merge Request Hook', body: JSON.stringify(body) });
  }

  // Interleave the threads as GitLab would: each thread keeps its own order.
  const threads = [...pipelines, ...deployments, ...mrs, ...notes.map((n) => [n]), ...others.map((o) => [o])];
  const rand = prng(42);
  const cursors = threads.map(() => 0);
  while (out.length < fixed + mrEvents) {
    const t = Math.floor(rand() * threads.length);
    const thread = threads[t] as StreamDelivery[];
    const c = cursors[t] as number;
    if (c < thread.length) {
      out.push(thread[c] as StreamDelivery);
      cursors[t] = c + 1;
    }
  }
  return out;
}

/**
 * Turns in-order deliveries into what a flaky network makes of them: `duplicateShare` of the
 * deliveries sent again (later, or in the same burst), `reorderShare` moved elsewhere, and the
 * result cut into bursts of 1..maxBurst sent concurrently.
 */
export function disorderly(
  deliveries: readonly StreamDelivery[],
  options: { seed: number; total: number; reorderShare: number; maxBurst: number },
): StreamDelivery[][] {
  const rand = prng(options.seed);
  const sequence = [...deliveries];
  // Reorder: move a share of deliveries to a random other position.
  const moves = Math.round(sequence.length * options.reorderShare);
  for (let i = 0; i < moves; i++) {
    const from = Math.floor(rand() * sequence.length);
    const [moved] = sequence.splice(from, 1);
    sequence.splice(Math.floor(rand() * (sequence.length + 1)), 0, moved as StreamDelivery);
  }
  // Duplicate: insert resends at or after the original's position until the stream is `total` long.
  while (sequence.length < options.total) {
    const original = Math.floor(rand() * sequence.length);
    const to = original + Math.floor(rand() * (sequence.length - original + 1));
    sequence.splice(to, 0, sequence[original] as StreamDelivery);
  }
  const bursts: StreamDelivery[][] = [];
  for (let i = 0; i < sequence.length; ) {
    const size = 1 + Math.floor(rand() * options.maxBurst);
    bursts.push(sequence.slice(i, i + size));
    i += size;
  }
  return bursts;
}

/**
 * A state field as compared. Excluded or normalised, each because it depends on delivery order
 * and nothing else:
 * - `revision` counts stored changes; a stale event that arrives late changes nothing, so the
 *   same final state is reached in fewer (or, with resends in one batch, differently grouped) writes;
 * - `handledNotes` remembers which comments were answered in the order they arrived; which ones
 *   (the set) is what makes a resend answer once, so it is compared sorted.
 */
export function comparable(field: string, state: ReleaseState): unknown {
  const value = (state as unknown as Record<string, unknown>)[field];
  if (field === 'revision') return typeof value;
  if (field === 'handledNotes') return [...((value as number[] | undefined) ?? [])].sort((a, b) => a - b);
  return value;
}
