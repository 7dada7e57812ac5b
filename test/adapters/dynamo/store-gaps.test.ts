import { beforeAll, describe, expect, it } from 'vitest';
import { UnclaimedActionError } from '../../../lib/adapters/dynamo/errors.js';
import type { ActionRecord } from '../../../lib/core/types/release.js';
import { nextRevision, releaseState, startedAction } from '../../support/release-builders.js';
import { makeTestStore, type TestStore } from '../../support/test-store.js';

/**
 * Two things the store must carry for issue 4: a `pipeline:` gate that failed reads back as
 * failed, and re-claiming a failed action is conditional so racing retries cannot both call out.
 */

let t: TestStore;
let nextIid = 5_000;
const freshIid = () => nextIid++;

beforeAll(async () => {
  t = await makeTestStore();
});

/** A failed attempt as `once` leaves it: attempt counted in the result, parts done kept. */
function failedAttempt(releaseId: string, attempt: number): ActionRecord {
  return {
    ...startedAction(releaseId, { action: 'publish-packages', subject: '17.4' }),
    status: 'failed',
    finishedAt: '2026-12-04T13:00:00.000Z',
    result: { attempt, 'part:pipeline': 'done' },
    error: 'transient: HTTP 503',
  };
}

describe('a failed pipeline gate in the store', () => {
  it('reads back as failed with the time it failed, so the publish task fails at once', async () => {
    const first = releaseState(freshIid(), {
      gates: {
        'pipeline:publish-packages@17.4': {
          status: 'waiting',
          token: 'tok-1',
          since: '2026-12-04T12:00:00.000Z',
        },
      },
    });
    await t.store.commit({ state: first, timeline: [] });
    const failed = nextRevision(first, {
      gates: {
        'pipeline:publish-packages@17.4': {
          status: 'failed',
          since: '2026-12-04T12:00:00.000Z',
          failedAt: '2026-12-04T12:30:00.000Z',
        },
      },
    });
    await t.store.commit({ state: failed, timeline: [] });

    const stored = await t.store.get(first.id);
    expect(stored?.gates['pipeline:publish-packages@17.4']).toStrictEqual({
      status: 'failed',
      since: '2026-12-04T12:00:00.000Z',
      failedAt: '2026-12-04T12:30:00.000Z',
    });
  });
});

describe('re-claiming a failed action', () => {
  it('lets exactly one of 20 concurrent retries of a failed attempt claim it, and shows the others its record', async () => {
    const releaseId = `42-${freshIid()}`;
    const failed = failedAttempt(releaseId, 1);
    await t.store.claimAction({ ...failed, status: 'started' });
    await t.store.finishAction(failed);

    const retries = await Promise.all(
      Array.from({ length: 20 }, (_, n) =>
        t.store.reclaimAction(
          {
            ...startedAction(releaseId, { action: 'publish-packages', subject: '17.4' }),
            startedAt: `2026-12-04T13:05:${String(n).padStart(2, '0')}.000Z`,
            result: { attempt: 2, 'part:pipeline': 'done' },
          },
          1,
        ),
      ),
    );

    const winners = retries.filter((r) => r.claimed);
    expect(winners).toHaveLength(1);
    for (const loser of retries.filter((r) => !r.claimed)) {
      expect(loser.record.startedAt).toBe(winners[0]?.record.startedAt);
      expect(loser.record.result?.attempt).toBe(2);
    }
    const [stored] = await t.store.listActions(releaseId);
    expect(stored?.status).toBe('started');
    expect(stored?.startedAt).toBe(winners[0]?.record.startedAt);
  });

  it('refuses a retry built on an attempt that is no longer the stored one', async () => {
    const releaseId = `42-${freshIid()}`;
    const failed = failedAttempt(releaseId, 3);
    await t.store.claimAction({ ...failed, status: 'started' });
    await t.store.finishAction(failed);

    const stale = await t.store.reclaimAction({ ...failed, status: 'started', result: { attempt: 3 } }, 2);
    expect(stale).toStrictEqual({ claimed: false, record: failed });
    const current = await t.store.reclaimAction({ ...failed, status: 'started', result: { attempt: 4 } }, 3);
    expect(current.claimed).toBe(true);
  });

  it('never re-claims an action that succeeded, and refuses one never claimed', async () => {
    const releaseId = `42-${freshIid()}`;
    const succeeded: ActionRecord = {
      ...startedAction(releaseId, { action: 'publish-packages', subject: '17.4' }),
      status: 'succeeded',
      finishedAt: '2026-12-04T13:00:00.000Z',
      result: { attempt: 1, pipelineId: 7 },
    };
    await t.store.claimAction({ ...succeeded, status: 'started' });
    await t.store.finishAction(succeeded);

    const retry = await t.store.reclaimAction({ ...succeeded, status: 'started', result: { attempt: 2 } }, 1);
    expect(retry.claimed).toBe(false);
    expect(retry.record.status).toBe('succeeded');
    await expect(
      t.store.reclaimAction({ ...succeeded, subject: 'never-claimed', status: 'started' }, 1),
    ).rejects.toBeInstanceOf(UnclaimedActionError);
  });

  it('treats a record from before attempts were counted as attempt one', async () => {
    const releaseId = `42-${freshIid()}`;
    const old = startedAction(releaseId, { action: 'add-version-entries', subject: '17.3' });
    await t.store.claimAction(old);

    const retry = await t.store.reclaimAction({ ...old, result: { attempt: 2 } }, 1);
    expect(retry.claimed).toBe(true);
  });
});
