import { beforeAll, describe, expect, it } from 'vitest';
import { RevisionConflictError } from '../../../lib/ports.js';
import { nextRevision, releaseState } from '../../support/release-builders.js';
import { makeTestStore, type TestStore } from '../../support/test-store.js';

/**
 * Routing keys a release gives up (a completed or aborted release's projects) are deleted in the
 * same transaction as its state (single or batch commit), on DynamoDB Local: only this release's route goes, and a commit that
 * loses the revision race deletes nothing.
 */

let t: TestStore;
let nextIid = 900;
const freshIid = () => nextIid++;

beforeAll(async () => {
  t = await makeTestStore();
});

describe('dropped routing keys', () => {
  it('are deleted with the completed state, leaving other releases of the project routed', async () => {
    const a = releaseState(freshIid(), { status: 'afterwards' });
    const b = releaseState(freshIid(), { status: 'running' });
    const project = `project:test-${a.id}`;
    await t.store.commit({ state: a, timeline: [], routingKeys: [project, `issue:42:${a.id}`] });
    await t.store.commit({ state: b, timeline: [], routingKeys: [project] });

    const completed = nextRevision(a, { status: 'completed' });
    await t.store.commit({
      state: completed,
      timeline: [],
      // A key never written does not block the commit.
      droppedRoutingKeys: [project, `project:never-${a.id}`],
    });

    expect((await t.store.get(a.id))?.status).toBe('completed');
    expect(await t.store.resolve(project)).toEqual([b.id]);
    expect(await t.store.resolve(`issue:42:${a.id}`)).toEqual([a.id]);
  });

  it('stay when the state write loses to another writer', async () => {
    const a = releaseState(freshIid(), { status: 'afterwards' });
    const project = `project:test-${a.id}`;
    await t.store.commit({ state: a, timeline: [], routingKeys: [project] });
    await t.store.commit({ state: nextRevision(a), timeline: [] });

    // Built on the old revision: the conditioned state write fails, so the delete does not happen.
    await expect(
      t.store.commit({
        state: nextRevision(a, { status: 'completed' }),
        timeline: [],
        droppedRoutingKeys: [project],
      }),
    ).rejects.toBeInstanceOf(RevisionConflictError);
    expect(await t.store.resolve(project)).toEqual([a.id]);
  });

  it('are deleted by a batch commit with the aborted state, only for this release', async () => {
    const a = releaseState(freshIid(), { status: 'running' });
    const b = releaseState(freshIid(), { status: 'running' });
    const project = `project:test-${a.id}`;
    await t.store.commit({ state: a, timeline: [], routingKeys: [project] });
    await t.store.commit({ state: b, timeline: [], routingKeys: [project] });

    await t.store.commitBatch({
      releaseId: a.id,
      baseRevision: a.revision,
      state: nextRevision(a, { status: 'aborted' }),
      timeline: [],
      deliveries: [{ key: `abort@${a.id}` }],
      droppedRoutingKeys: [project],
    });

    expect((await t.store.get(a.id))?.status).toBe('aborted');
    expect(await t.store.resolve(project)).toEqual([b.id]);
  });

  it('stay when a batch loses the revision race', async () => {
    const a = releaseState(freshIid(), { status: 'running' });
    const project = `project:test-${a.id}`;
    await t.store.commit({ state: a, timeline: [], routingKeys: [project] });
    await t.store.commit({ state: nextRevision(a), timeline: [] });

    await expect(
      t.store.commitBatch({
        releaseId: a.id,
        baseRevision: a.revision,
        state: nextRevision(a, { status: 'aborted' }),
        timeline: [],
        deliveries: [{ key: `abort@${a.id}` }],
        droppedRoutingKeys: [project],
      }),
    ).rejects.toBeInstanceOf(RevisionConflictError);
    expect(await t.store.resolve(project)).toEqual([a.id]);
  });
});
