import { DescribeTimeToLiveCommand, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CommitTooLargeError,
  InvalidRevisionError,
  UnclaimedActionError,
} from '../../../lib/adapters/dynamo/errors.js';
import {
  DELIVERY_TTL_SECONDS,
  deliveryKey,
  releaseStateKey,
} from '../../../lib/adapters/dynamo/table-layout.js';
import type { ReleaseState } from '../../../lib/core/types/release.js';
import { DuplicateDeliveryError, RevisionConflictError } from '../../../lib/ports.js';
import { withRevisionRetry } from '../../../lib/services/release-writer.js';
import { entry, nextRevision, releaseState, startedAction } from '../../support/release-builders.js';
import { makeTestStore, type TestStore } from '../../support/test-store.js';

const NOW_MS = Date.UTC(2026, 11, 1, 9, 0, 0);

let t: TestStore;
// Each test uses its own release ids (vulnerability issue iids), so tests share one table safely.
let nextIid = 100;
const freshIid = () => nextIid++;

beforeAll(async () => {
  t = await makeTestStore(() => NOW_MS);
});

/** A release in the middle of Day three: every nested record kind filled, numbers of several sizes. */
function busyRelease(iid: number): ReleaseState {
  return releaseState(iid, {
    status: 'running',
    projectId: 2 ** 40,
    vulnerabilityIssue: {
      projectId: 2 ** 40,
      iid,
      url: `https://gitlab.example/acme/product/-/issues/${iid}`,
    },
    releaseIssue: { projectId: 42, iid: 9001 },
    mitigationIssue: { projectId: 42, iid: 9002, state: 'opened' },
    dayOne: '2026-12-01',
    slipHours: 1.5,
    versions: ['17.5', '17.4', '17.3'],
    phase: 'day-three',
    tasks: {
      'request-cve': { status: 'done', by: 'sec-lead', at: '2026-12-01T10:00:00.000Z' },
      'build-packages@17.5': { status: 'open' },
      'notify-customers': { status: 'waived', by: 'sec-lead', reason: '' },
    },
    mergeRequests: {
      '42!12': {
        projectId: 42,
        iid: 12,
        targetBranch: '17-5-stable-ee',
        sourceBranch: 'security-fix-17-5',
        version: '17.5',
        state: 'merged',
        url: 'https://gitlab.example/acme/product/-/merge_requests/12',
        updatedAt: '2026-12-02T11:00:00.000Z',
      },
    },
    pipelines: {
      '42:17-5-stable-ee': {
        projectId: 42,
        pipelineId: 9_007_199_254_740_991,
        ref: '17-5-stable-ee',
        status: 'success',
        action: 'build-packages',
        updatedAt: '2026-12-03T12:00:00.000Z',
      },
    },
    deployments: {
      staging: {
        environment: 'staging',
        status: 'success',
        deploymentId: 0,
        updatedAt: '2026-12-02T15:00:00.000Z',
      },
    },
    gates: {
      'phase:day-three': {
        status: 'waiting',
        token: 'AAAA+token/with=chars',
        since: '2026-12-03T00:00:00.000Z',
      },
      'schedule-confirmed': {
        status: 'open',
        since: '2026-12-01T09:00:00.000Z',
        openedAt: '2026-12-01T09:30:00.000Z',
      },
    },
  });
}

describe('DynamoReleaseStore', () => {
  it('returns a committed release exactly as it was written, nested records and numbers included', async () => {
    const state = busyRelease(freshIid());
    await t.store.commit({ state, timeline: [entry('release started')] });

    expect(await t.store.get(state.id)).toStrictEqual(state);
  });

  it('stores the release state as a map, readable in the console, not as a JSON string', async () => {
    const state = busyRelease(freshIid());
    await t.store.commit({ state, timeline: [] });

    const raw = await t.client.send(
      new GetItemCommand({
        TableName: t.tableName,
        Key: { pk: { S: releaseStateKey(state.id).pk }, sk: { S: 'STATE' } },
      }),
    );
    expect(raw.Item?.state?.M?.versions?.L?.map((v) => v.S)).toEqual(['17.5', '17.4', '17.3']);
    expect(raw.Item?.state?.M?.tasks?.M?.['request-cve']?.M?.status?.S).toBe('done');
  });

  it('knows no release it was never given', async () => {
    expect(await t.store.get('42-999999')).toBeUndefined();
  });

  it('refuses a second change built on the same revision, and writes none of it', async () => {
    const first = releaseState(freshIid());
    await t.store.commit({ state: first, timeline: [entry('release started')], routingKeys: ['issue:42:1'] });
    const mergeRecorded = nextRevision(first, { phase: 'day-one' });
    const labelRecorded = nextRevision(first, { status: 'scheduled' });
    await t.store.commit({ state: mergeRecorded, timeline: [entry('entered day one')] });

    await expect(
      t.store.commit({
        state: labelRecorded,
        timeline: [entry('losing change')],
        deliveryKey: `lost-${first.id}`,
        routingKeys: [`mr:42:${first.id}`],
      }),
    ).rejects.toBeInstanceOf(RevisionConflictError);

    expect(await t.store.get(first.id)).toStrictEqual(mergeRecorded);
    expect((await t.store.timeline(first.id)).map((e) => e.summary)).toEqual([
      'release started',
      'entered day one',
    ]);
    expect(await t.store.hasDelivery(`lost-${first.id}`)).toBe(false);
    expect(await t.store.resolve(`mr:42:${first.id}`)).toEqual([]);
  });

  it('refuses to start a release twice and to skip a revision', async () => {
    const state = releaseState(freshIid());
    await t.store.commit({ state, timeline: [] });

    await expect(t.store.commit({ state, timeline: [] })).rejects.toBeInstanceOf(RevisionConflictError);
    await expect(t.store.commit({ state: { ...state, revision: 3 }, timeline: [] })).rejects.toBeInstanceOf(
      RevisionConflictError,
    );
    await expect(t.store.commit({ state: { ...state, revision: 0 }, timeline: [] })).rejects.toBeInstanceOf(
      InvalidRevisionError,
    );
    expect((await t.store.get(state.id))?.revision).toBe(1);
  });

  it('rejects a webhook delivered twice as a duplicate and writes nothing for it', async () => {
    const first = releaseState(freshIid());
    const delivery = `uuid-${first.id}`;
    await t.store.commit({ state: first, timeline: [entry('release started')], deliveryKey: delivery });

    await expect(
      t.store.commit({
        state: nextRevision(first, { status: 'scheduled' }),
        timeline: [entry('counted twice')],
        deliveryKey: delivery,
        routingKeys: [`dup:${first.id}`],
      }),
    ).rejects.toBeInstanceOf(DuplicateDeliveryError);

    expect(await t.store.get(first.id)).toStrictEqual(first);
    expect((await t.store.timeline(first.id)).map((e) => e.summary)).toEqual(['release started']);
    expect(await t.store.resolve(`dup:${first.id}`)).toEqual([]);
  });

  it('recognises a delivery that changed no release when it comes again', async () => {
    const delivery = `ignored-${freshIid()}`;
    expect(await t.store.hasDelivery(delivery)).toBe(false);
    await t.store.recordDelivery(delivery);

    expect(await t.store.hasDelivery(delivery)).toBe(true);
    await expect(t.store.recordDelivery(delivery)).rejects.toBeInstanceOf(DuplicateDeliveryError);
    const state = releaseState(freshIid());
    await expect(t.store.commit({ state, timeline: [], deliveryKey: delivery })).rejects.toBeInstanceOf(
      DuplicateDeliveryError,
    );
    expect(await t.store.get(state.id)).toBeUndefined();
  });

  it('keeps delivery keys for seven days through the TTL attribute', async () => {
    const delivery = `ttl-${freshIid()}`;
    await t.store.recordDelivery(delivery);
    const state = releaseState(freshIid());
    await t.store.commit({ state, timeline: [], deliveryKey: `${delivery}-commit` });

    for (const key of [delivery, `${delivery}-commit`]) {
      const item = await t.doc.send(new GetCommand({ TableName: t.tableName, Key: deliveryKey(key) }));
      expect(item.Item?.expiresAt).toBe(NOW_MS / 1000 + 7 * 24 * 60 * 60);
    }
    expect(DELIVERY_TTL_SECONDS).toBe(604_800);
    const ttl = await t.client.send(new DescribeTimeToLiveCommand({ TableName: t.tableName }));
    expect(ttl.TimeToLiveDescription).toMatchObject({
      AttributeName: 'expiresAt',
      TimeToLiveStatus: 'ENABLED',
    });
  });

  it('lets exactly one of 20 concurrent deliveries of the same webhook land', async () => {
    const first = releaseState(freshIid());
    await t.store.commit({ state: first, timeline: [] });
    const delivery = `burst-${first.id}`;

    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, (_, n) =>
        withRevisionRetry(
          t.store,
          first.id,
          (state) =>
            state && {
              state: nextRevision(state, { slipHours: state.slipHours + 1 }),
              timeline: [entry(`copy ${n}`)],
              deliveryKey: delivery,
            },
          { attempts: 40 },
        ),
      ),
    );

    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const rejections = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason] : []));
    expect(rejections.every((reason) => reason instanceof DuplicateDeliveryError)).toBe(true);
    const stored = await t.store.get(first.id);
    expect(stored).toMatchObject({ revision: 2, slipHours: 1 });
    expect(await t.store.timeline(first.id)).toHaveLength(1);
  });

  it('lets exactly one of 20 concurrent raw commits of the same delivery land', async () => {
    const first = releaseState(freshIid());
    await t.store.commit({ state: first, timeline: [] });
    const delivery = `raw-burst-${first.id}`;

    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, (_, n) =>
        t.store.commit({
          state: nextRevision(first, { slipHours: n }),
          timeline: [entry(`copy ${n}`)],
          deliveryKey: delivery,
        }),
      ),
    );

    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') {
        expect([DuplicateDeliveryError, RevisionConflictError]).toContain(outcome.reason.constructor);
      }
    }
    expect((await t.store.get(first.id))?.revision).toBe(2);
    expect(await t.store.timeline(first.id)).toHaveLength(1);
  });

  it('lands both of two different events racing on one release', async () => {
    const first = releaseState(freshIid());
    await t.store.commit({ state: first, timeline: [] });

    const changes = ['merge-request', 'pipeline'].map((what) =>
      withRevisionRetry(
        t.store,
        first.id,
        (state) =>
          state && {
            state: nextRevision(state, { tasks: { ...state.tasks, [what]: { status: 'done' } } }),
            timeline: [entry(`${what} recorded`)],
            deliveryKey: `${what}-${first.id}`,
          },
        { attempts: 10 },
      ),
    );
    await Promise.all(changes);

    const stored = await t.store.get(first.id);
    expect(stored?.revision).toBe(3);
    expect(Object.keys(stored?.tasks ?? {}).sort()).toEqual(['merge-request', 'pipeline']);
    expect((await t.store.timeline(first.id)).map((e) => e.summary).sort()).toEqual([
      'merge-request recorded',
      'pipeline recorded',
    ]);
  });

  it('lands all of ten different events racing on one release', async () => {
    const first = releaseState(freshIid());
    await t.store.commit({ state: first, timeline: [] });

    await Promise.all(
      Array.from({ length: 10 }, (_, n) =>
        withRevisionRetry(
          t.store,
          first.id,
          (state) =>
            state && {
              state: nextRevision(state, { tasks: { ...state.tasks, [`task-${n}`]: { status: 'done' } } }),
              timeline: [entry(`task ${n} done`)],
            },
          { attempts: 50 },
        ),
      ),
    );

    const stored = await t.store.get(first.id);
    expect(stored?.revision).toBe(11);
    expect(Object.keys(stored?.tasks ?? {})).toHaveLength(10);
    expect(await t.store.timeline(first.id)).toHaveLength(10);
  });

  it('commits nothing when the change has nothing to say', async () => {
    const first = releaseState(freshIid());
    await t.store.commit({ state: first, timeline: [] });

    expect(await withRevisionRetry(t.store, first.id, () => undefined)).toBeUndefined();
    expect((await t.store.get(first.id))?.revision).toBe(1);
  });

  it('gives up with a revision conflict after its attempts are spent', async () => {
    const first = releaseState(freshIid());
    await t.store.commit({ state: first, timeline: [] });
    let tries = 0;

    // The change always builds on a revision that is already taken, so it can never land.
    await expect(
      withRevisionRetry(
        t.store,
        first.id,
        () => {
          tries++;
          return { state: first, timeline: [] };
        },
        { attempts: 3, baseDelayMs: 1 },
      ),
    ).rejects.toBeInstanceOf(RevisionConflictError);
    expect(tries).toBe(3);
  });

  it('returns the timeline in the order changes were committed, past revision nine', async () => {
    let state = releaseState(freshIid());
    await t.store.commit({ state, timeline: [entry('r1 a'), entry('r1 b')] });
    for (let revision = 2; revision <= 12; revision++) {
      state = nextRevision(state);
      // Writers' clocks may disagree; commit order is what counts.
      await t.store.commit({
        state,
        timeline: [entry(`r${revision} a`, '2026-11-30T00:00:00.000Z'), entry(`r${revision} b`)],
      });
    }

    const summaries = (await t.store.timeline(state.id)).map((e) => e.summary);
    expect(summaries).toEqual(Array.from({ length: 12 }, (_, i) => [`r${i + 1} a`, `r${i + 1} b`]).flat());
  });

  it('resolves a routing key to every release it points at, and an unknown key to none', async () => {
    const a = releaseState(freshIid());
    const b = releaseState(freshIid());
    const project = `project:${a.id}`;
    await t.store.commit({ state: a, timeline: [], routingKeys: [project, `issue:42:${a.id}`, project] });
    await t.store.commit({ state: b, timeline: [], routingKeys: [project] });
    await t.store.commit({ state: nextRevision(b), timeline: [], routingKeys: [`mr:42:${b.id}`] });

    expect([...(await t.store.resolve(project))].sort()).toEqual([a.id, b.id].sort());
    expect(await t.store.resolve(`issue:42:${a.id}`)).toEqual([a.id]);
    expect(await t.store.resolve(`mr:42:${b.id}`)).toEqual([b.id]);
    expect(await t.store.resolve('issue:42:404')).toEqual([]);
  });

  it('refuses a commit larger than one transaction, and writes none of it', async () => {
    const state = releaseState(freshIid());
    const tooMany = Array.from({ length: 99 }, (_, n) => entry(`line ${n}`));

    await expect(
      t.store.commit({ state, timeline: tooMany, deliveryKey: `big-${state.id}` }),
    ).rejects.toBeInstanceOf(CommitTooLargeError);
    expect(await t.store.get(state.id)).toBeUndefined();
    expect(await t.store.hasDelivery(`big-${state.id}`)).toBe(false);

    await t.store.commit({ state, timeline: tooMany });
    expect(await t.store.timeline(state.id)).toHaveLength(99);
  });

  it('lets only one of 20 concurrent claims perform an action, and shows the others its record', async () => {
    const releaseId = `42-${freshIid()}`;
    const claims = await Promise.all(
      Array.from({ length: 20 }, (_, n) =>
        t.store.claimAction(
          startedAction(releaseId, { startedAt: `2026-12-03T10:00:${String(n).padStart(2, '0')}.000Z` }),
        ),
      ),
    );

    const winners = claims.filter((c) => c.claimed);
    expect(winners).toHaveLength(1);
    for (const claim of claims.filter((c) => !c.claimed)) {
      expect(claim.record).toStrictEqual(winners[0]?.record);
    }
    expect(await t.store.listActions(releaseId)).toStrictEqual([winners[0]?.record]);
  });

  it('records how a claimed action ended, and refuses to finish one never claimed', async () => {
    const releaseId = `42-${freshIid()}`;
    const started = startedAction(releaseId, { action: 'create-release-issue', subject: 'release' });
    await t.store.claimAction(started);
    const failed = {
      ...started,
      status: 'failed' as const,
      finishedAt: '2026-12-03T10:01:00.000Z',
      error: 'HTTP 502',
    };
    await t.store.finishAction(failed);
    const succeeded = {
      ...started,
      status: 'succeeded' as const,
      finishedAt: '2026-12-03T10:02:00.000Z',
      result: { issueIid: 9001, url: 'https://gitlab.example/acme/product/-/issues/9001' },
    };
    await t.store.finishAction(succeeded);
    await t.store.claimAction(startedAction(releaseId, { subject: '17.4' }));

    const again = await t.store.claimAction(started);
    expect(again).toStrictEqual({ claimed: false, record: succeeded });
    expect((await t.store.listActions(releaseId)).map((r) => `${r.action} ${r.subject} ${r.status}`)).toEqual(
      ['build-packages 17.4 started', 'create-release-issue release succeeded'],
    );
    await expect(
      t.store.finishAction({ ...started, subject: 'never-claimed', status: 'succeeded' }),
    ).rejects.toBeInstanceOf(UnclaimedActionError);
  });

  it('lists every release, oldest first, at its latest revision, without a scan', async () => {
    const listed = await makeTestStore(() => NOW_MS);
    const older = releaseState(1, { createdAt: '2026-11-01T00:00:00.000Z' });
    const newer = releaseState(2, { createdAt: '2026-12-01T00:00:00.000Z' });
    await listed.store.commit({ state: newer, timeline: [] });
    await listed.store.commit({ state: older, timeline: [] });
    const olderNow = nextRevision(older, { status: 'running' });
    await listed.store.commit({ state: olderNow, timeline: [], deliveryKey: 'not-a-release' });
    await listed.store.claimAction(startedAction(older.id));
    listed.sent.length = 0;

    expect(await listed.store.listReleases()).toStrictEqual([olderNow, newer]);
    expect(listed.sent).toEqual(['QueryCommand', 'BatchGetItemCommand']);
  });

  it('never scans the table for anything it is asked', () => {
    expect(t.sent.length).toBeGreaterThan(0);
    expect(t.sent.filter((name) => name.includes('Scan'))).toEqual([]);
  });
});
