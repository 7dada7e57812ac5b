import { describe, expect, it } from 'vitest';
import { DuplicateDeliveriesError, RevisionConflictError } from '../../../lib/ports.js';
import { entry, nextRevision, releaseState } from '../../support/release-builders.js';
import { makeTestStore } from '../../support/test-store.js';

describe('DynamoReleaseStore.commitBatch', () => {
  it('writes several changes to a release in one transaction, each timeline under its own revision', async () => {
    const { store } = await makeTestStore();
    const first = releaseState(77);
    await store.commit({ state: first, timeline: [entry('started')] });
    const final = nextRevision(nextRevision(first));

    await store.commitBatch({
      releaseId: first.id,
      baseRevision: 1,
      state: final,
      timeline: [
        { revision: 2, entries: [entry('second')] },
        { revision: 3, entries: [entry('third')] },
      ],
      deliveries: [{ key: 'a@42-77', absentKeys: ['a'] }, { key: 'b@42-77' }],
      routingKeys: ['mr:42:123'],
    });

    expect((await store.get(first.id))?.revision).toBe(3);
    expect((await store.timeline(first.id)).map((e) => e.summary)).toEqual(['started', 'second', 'third']);
    expect(await store.hasDelivery('a@42-77')).toBe(true);
    expect(await store.hasDelivery('b@42-77')).toBe(true);
    expect(await store.resolve('mr:42:123')).toEqual([first.id]);
  });

  it('names the deliveries recorded before and writes nothing of the batch', async () => {
    const { store } = await makeTestStore();
    const first = releaseState(77);
    await store.commit({ state: first, timeline: [] });
    await store.recordDelivery('b');

    const batch = store.commitBatch({
      releaseId: first.id,
      baseRevision: 1,
      state: nextRevision(first),
      timeline: [{ revision: 2, entries: [entry('second')] }],
      deliveries: [{ key: 'a@42-77' }, { key: 'b@42-77', absentKeys: ['b'] }, { key: 'c@42-77' }],
    });

    await expect(batch).rejects.toBeInstanceOf(DuplicateDeliveriesError);
    await expect(batch).rejects.toMatchObject({ indexes: [1] });
    expect((await store.get(first.id))?.revision).toBe(1);
    expect(await store.hasDelivery('a@42-77')).toBe(false);
  });

  it('refuses a batch that changed nothing when the release moved since it was read', async () => {
    const { store } = await makeTestStore();
    const first = releaseState(77);
    await store.commit({ state: first, timeline: [] });
    await store.commit({ state: nextRevision(first), timeline: [] });

    const batch = store.commitBatch({
      releaseId: first.id,
      baseRevision: 1,
      timeline: [],
      deliveries: [{ key: 'plain', absentKeys: ['plain@42-77'] }],
    });

    await expect(batch).rejects.toBeInstanceOf(RevisionConflictError);
    expect(await store.hasDelivery('plain')).toBe(false);
  });
});
