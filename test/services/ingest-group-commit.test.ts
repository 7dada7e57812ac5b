import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { GitLabEvent } from '../../lib/core/types/events.js';
import type { ReleaseBatchCommit, ReleaseStore } from '../../lib/ports.js';
import { GroupCommitter } from '../../lib/services/group-commit.js';
import { ingestEvent } from '../../lib/services/ingest.js';
import { releaseDeliveryKey } from '../../lib/services/release-apply.js';
import { ReleaseStateCache } from '../../lib/services/release-cache.js';
import { parsedEvent } from '../core/events/support.js';
import { ingressDeps } from '../e2e/ingress-harness.js';
import { loadFixture } from '../fixtures/gitlab/index.js';

const RELEASE = '42-77';
type Json = Record<string, unknown>;

/** The labelled confidential issue #77 that starts release 42-77. */
function releaseStart(): GitLabEvent {
  return parsedEvent('Confidential Issue Hook', loadFixture('confidential-issue-labelled'));
}

/** Security MR `iid` opened for 17.5, referencing the vulnerability issue #77. */
function securityMr(iid: number): GitLabEvent {
  const body = loadFixture('mr-opened-for-stable') as Json;
  Object.assign(body.object_attributes as Json, {
    iid,
    id: 90000 + iid,
    source_branch: `security-fix-${iid}`,
  });
  return parsedEvent('Merge Request Hook', body);
}

/** A store view that counts the batches written and their deliveries. */
function counting(store: ReleaseStore) {
  const batches: number[] = [];
  const view: Pick<ReleaseStore, 'get' | 'commitBatch'> = {
    get: (id) => store.get(id),
    commitBatch: (batch: ReleaseBatchCommit) => {
      batches.push(batch.deliveries.length);
      return store.commitBatch(batch);
    },
  };
  return { view, batches };
}

async function startedRelease() {
  const h = await ingressDeps();
  const committer = new GroupCommitter(h.store, new ReleaseStateCache());
  const started = await committer.submit(h.deps, RELEASE, releaseStart(), randomUUID(), false);
  expect(started.kind).toBe('changed');
  return h;
}

describe('group commit of deliveries to one release', () => {
  it('corrects a stale cached release through the revision conflict, keeping the other process’s change', async () => {
    const h = await startedRelease();
    const states = new ReleaseStateCache();
    const here = new GroupCommitter(h.store, states);
    states.set(RELEASE, await h.store.get(RELEASE));
    // Another Lambda container, with its own cache, records MR !201 first.
    const elsewhere = new GroupCommitter(h.store, new ReleaseStateCache());
    expect((await elsewhere.submit(h.deps, RELEASE, securityMr(201), randomUUID(), false)).kind).toBe(
      'changed',
    );

    const outcome = await here.submit(h.deps, RELEASE, securityMr(202), randomUUID(), false);

    expect(outcome.kind).toBe('changed');
    const stored = await h.store.get(RELEASE);
    expect(stored?.revision).toBe(3);
    expect(Object.keys(stored?.mergeRequests ?? {}).sort()).toEqual(['42!201', '42!202']);
    expect(states.get(RELEASE)?.revision).toBe(3);
  });

  it('answers a resend inside the same batch as a duplicate and records the delivery once', async () => {
    const h = await startedRelease();
    const { view, batches } = counting(h.store);
    const committer = new GroupCommitter(view, new ReleaseStateCache());
    const [first, second, resent, third] = await Promise.all([
      committer.submit(h.deps, RELEASE, securityMr(301), 'key-301', false),
      committer.submit(h.deps, RELEASE, securityMr(302), 'key-302', false),
      committer.submit(h.deps, RELEASE, securityMr(302), 'key-302', false),
      committer.submit(h.deps, RELEASE, securityMr(303), 'key-303', false),
    ]);

    expect([first?.kind, second?.kind, resent?.kind, third?.kind]).toEqual([
      'changed',
      'changed',
      'duplicate',
      'changed',
    ]);
    // The first delivery commits alone; the three that waited for it share one transaction.
    expect(batches).toEqual([1, 2]);
    const stored = await h.store.get(RELEASE);
    expect(stored?.revision).toBe(4);
    expect(Object.keys(stored?.mergeRequests ?? {}).sort()).toEqual(['42!301', '42!302', '42!303']);
    expect(await h.store.hasDelivery(releaseDeliveryKey('key-302', RELEASE))).toBe(true);
  });

  it('refuses only the delivery another process already recorded, and commits the rest of its batch', async () => {
    const h = await startedRelease();
    await h.store.recordDelivery(releaseDeliveryKey('key-402', RELEASE));
    const { view, batches } = counting(h.store);
    const committer = new GroupCommitter(view, new ReleaseStateCache());
    const outcomes = await Promise.all([
      committer.submit(h.deps, RELEASE, securityMr(401), 'key-401', false),
      committer.submit(h.deps, RELEASE, securityMr(402), 'key-402', false),
      committer.submit(h.deps, RELEASE, securityMr(403), 'key-403', false),
    ]);

    expect(outcomes.map((o) => o.kind)).toEqual(['changed', 'duplicate', 'changed']);
    // The batch of !402 and !403 was refused whole, then written again without !402.
    expect(batches).toEqual([1, 2, 1]);
    const stored = await h.store.get(RELEASE);
    expect(stored?.revision).toBe(3);
    expect(Object.keys(stored?.mergeRequests ?? {}).sort()).toEqual(['42!401', '42!403']);
  });

  it('records a delivery that changes nothing in its one release within the batch, and refuses its resend', async () => {
    const h = await startedRelease();
    const note = parsedEvent('Note Hook', loadFixture('note-on-merge-request'));
    const key = `idempotency-key:${randomUUID()}`;
    await ingestEvent(h.deps, securityMr(123), randomUUID());
    const before = await h.store.get(RELEASE);

    expect((await ingestEvent(h.deps, note, key)).status).toBe('accepted');
    expect(await ingestEvent(h.deps, note, key)).toEqual({ status: 'duplicate', changed: [] });

    expect(await h.store.hasDelivery(key)).toBe(true);
    expect((await h.store.get(RELEASE))?.revision).toBe(before?.revision);
  });
});
