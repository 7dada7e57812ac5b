import { DateTime } from 'luxon';
import { loadLocalSettings } from '../../lib/adapters/config/load.js';
import { releaseItem } from '../../lib/adapters/dynamo/table-layout.js';
import { DEFAULT_PLAYBOOK } from '../../lib/core/default-playbook.js';
import { apply } from '../../lib/core/release/apply.js';
import { startRelease } from '../../lib/core/release/start.js';
import type { ReleaseContext } from '../../lib/core/transitions.js';
import type { GitLabEvent } from '../../lib/core/types/events.js';
import type { ReleaseState } from '../../lib/core/types/release.js';
import { record } from './results.js';
import type { SectionResult } from './run.js';

/**
 * The release state item's size after 10,000 events on one release, and how it grows (goal
 * < 64 KB; DynamoDB's item limit is 400 KB). The events are a busy release's: 30 security MRs
 * (10 per version) updated again and again, pipelines on their branches, pipelines secrel started,
 * deployments, `/secrel status` comments, and unrelated MRs. The core applies them as ingress
 * would; the item is sized by DynamoDB's rules (attribute names and values, UTF-8).
 */

const EVENTS = 10_000;
const GOAL_KB = 64;
const VERSIONS = ['17.5', '17.4', '17.3'];

/** DynamoDB's item size: names plus values; numbers about one byte per two digits; 3 bytes per map/list. */
export function itemBytes(value: unknown): number {
  if (value === null || value === undefined || typeof value === 'boolean') return 1;
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (typeof value === 'number') return Math.ceil(String(Math.abs(value)).replace('.', '').length / 2) + 1;
  if (Array.isArray(value)) return 3 + value.reduce((sum: number, v) => sum + 1 + itemBytes(v), 0);
  return (
    3 +
    Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .reduce((sum, [k, v]) => sum + Buffer.byteLength(k) + 1 + itemBytes(v), 0)
  );
}

function eventAt(i: number, base: DateTime): GitLabEvent {
  const at = base.plus({ seconds: i }).toISO() ?? '';
  const mr = Math.floor(i / 10) % 30;
  const version = VERSIONS[mr % 3] as string;
  const iid = 500 + mr;
  const source = `security-fix-${iid}`;
  const common = { projectId: 42, projectPath: 'acme/product' };
  switch (i % 10) {
    case 0:
    case 1:
    case 2:
      return {
        ...common,
        kind: 'merge_request',
        iid,
        state: i > EVENTS * 0.8 ? 'merged' : 'opened',
        action: 'update',
        sourceBranch: source,
        targetBranch: `${version.replace('.', '-')}-stable`,
        title: `[fake] Fix for acme/product#77 (${version})`,
        description: 'Fixes acme/product#77',
        url: `https://gitlab.example.com/acme/product/-/merge_requests/${iid}`,
        updatedAt: at,
        actor: 'dana.dev',
      };
    case 3:
    case 4:
      return {
        ...common,
        kind: 'pipeline',
        pipelineId: 100_000 + i,
        ref: source,
        status: 'running',
        source: 'push',
        variables: {},
        updatedAt: at,
      };
    case 5:
      return {
        ...common,
        kind: 'pipeline',
        pipelineId: 200_000 + i,
        ref: `${version.replace('.', '-')}-stable`,
        status: i % 20 === 5 ? 'failed' : 'running',
        source: 'trigger',
        variables: { SECREL_RELEASE_ID: '42-77', SECREL_ACTION: 'build-packages', SECREL_VERSION: version },
        updatedAt: at,
      };
    case 6:
      return {
        ...common,
        kind: 'deployment',
        deploymentId: 300_000 + i,
        environment: i % 20 === 6 ? 'staging' : 'production',
        status: 'running',
        updatedAt: at,
      };
    case 7:
    case 8:
      return {
        ...common,
        kind: 'note',
        noteId: 400_000 + i,
        noteableType: 'Issue',
        noteableIid: 77,
        confidential: true,
        body: '/secrel status',
        url: `https://gitlab.example.com/acme/product/-/issues/77#note_${400_000 + i}`,
        createdAt: at,
        actor: 'riley.rm',
        action: 'create',
        system: false,
      };
    default:
      return {
        ...common,
        kind: 'merge_request',
        iid: 10_000 + i,
        state: 'opened',
        action: 'open',
        sourceBranch: `feature-${i}`,
        targetBranch: 'main',
        title: 'Unrelated change',
        description: 'Nothing to do with the release',
        url: `https://gitlab.example.com/acme/product/-/merge_requests/${10_000 + i}`,
        updatedAt: at,
        actor: 'someone',
      };
  }
}

/** `npm run bench state-size`. */
export async function runStateSizeBench(): Promise<SectionResult> {
  const root = new URL('../../', import.meta.url).pathname;
  const { config } = loadLocalSettings({ SECREL_CONFIG: 'secrel.config.example.json' }, root);
  const base = DateTime.fromISO('2024-11-12T10:00:00Z', { zone: 'utc' });
  const ctx = (now: DateTime): ReleaseContext => ({
    config,
    playbook: config.playbook ?? DEFAULT_PLAYBOOK,
    now,
  });
  const started = startRelease(
    {
      kind: 'issue',
      projectId: 42,
      projectPath: 'acme/product',
      iid: 77,
      confidential: true,
      labels: ['security', config.releaseLabel],
      state: 'opened',
      action: 'update',
      addedLabels: [config.releaseLabel],
      url: 'https://gitlab.example.com/acme/product/-/issues/77',
      updatedAt: base.toISO() ?? '',
      actor: 'sam.seclead',
    },
    ctx(base),
  );
  if (!started) throw new Error('the release did not start');
  let state: ReleaseState = started.state;
  // The versions are set by command first, as a real release does.
  state = apply(
    state,
    {
      kind: 'note',
      projectId: 42,
      projectPath: 'acme/product',
      noteId: 1,
      noteableType: 'Issue',
      noteableIid: 77,
      confidential: true,
      body: `/secrel versions ${VERSIONS.join(', ')}`,
      url: 'https://gitlab.example.com/acme/product/-/issues/77#note_1',
      createdAt: base.toISO() ?? '',
      actor: config.roles['security lead']?.[0] ?? 'sec-lead',
    },
    ctx(base),
  ).state;
  const sizes: { events: number; bytes: number }[] = [{ events: 0, bytes: itemBytes(releaseItem(state)) }];
  for (let i = 1; i <= EVENTS; i++) {
    const now = base.plus({ seconds: i });
    state = apply(state, eventAt(i, base), ctx(now)).state;
    if (i % 1000 === 0) sizes.push({ events: i, bytes: itemBytes(releaseItem(state)) });
  }
  const final = sizes.at(-1)?.bytes ?? 0;
  const at1k = sizes.find((s) => s.events === 1000)?.bytes ?? 0;
  const growthPer1k = (final - at1k) / ((EVENTS - 1000) / 1000);
  console.log(
    `release state item size by events: ${sizes.map((s) => `${s.events}: ${(s.bytes / 1024).toFixed(1)} KB`).join(', ')}`,
  );
  console.log(`growth after the first 1,000 events: ${growthPer1k.toFixed(0)} bytes per 1,000 events`);
  console.log(
    `${Object.keys(state.mergeRequests).length} MRs, ${Object.keys(state.pipelines).length} pipeline refs, ${state.handledNotes?.length ?? 0} handled notes kept`,
  );
  const held = record({
    section: 'release state item',
    name: `size after ${EVENTS.toLocaleString('en')} events`,
    value: final / 1024,
    unit: 'KB',
    comparison: { name: 'DynamoDB item limit', value: 400, unit: 'KB' },
    goal: `< ${GOAL_KB} KB`,
    holds: final / 1024 < GOAL_KB,
    note: sizes.map((s) => `${s.events}:${s.bytes}`).join(' '),
  });
  record({
    section: 'release state item',
    name: 'growth per 1,000 events (after the first 1,000)',
    value: growthPer1k,
    unit: 'bytes',
    goal: 'bounded (flat)',
    holds: growthPer1k < 512,
  });
  return { goalsHeld: held, correct: true };
}
