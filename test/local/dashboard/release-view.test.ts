import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import type { ReleaseState, TimelineEntry } from '../../../lib/core/types/release.js';
import { buildReleaseView, versionMatrix } from '../../../lib/local/dashboard/release-view.js';
import { CONFIG, PEOPLE, scheduledRelease } from '../../core/release-helpers.js';

/** Release time on Day one (2026-12-01) of the helpers' scheduled release. */
const DAY_ONE_NOON = DateTime.fromISO('2026-12-01T12:00:00Z', { zone: 'utc' });
const DAY_ONE_CUTOFF = '2026-12-01T23:59:00.000Z';
const GATE_TOKEN = 'task-token-that-must-stay-on-the-server';

function viewAt(state: ReleaseState, now: DateTime, timeline: readonly TimelineEntry[] = []) {
  return buildReleaseView(state, timeline, { now: () => now, roles: CONFIG.roles, speed: 60 });
}

function taskOf(view: ReturnType<typeof viewAt>, key: string) {
  const task = view.tasks.find((t) => t.key === key);
  if (!task) throw new Error(`no task ${key} in the view`);
  return task;
}

/** The scheduled release with a few facts recorded, as ingress would have stored them. */
function releaseOnDayOne(): ReleaseState {
  const state = scheduledRelease();
  return {
    ...state,
    phase: 'day-one',
    tasks: {
      ...state.tasks,
      'pre-announcement': { status: 'done', by: PEOPLE.lead, at: '2026-12-01T10:00:00.000Z', via: 'command' },
      'build-packages@17.5': { status: 'done', by: 'secrel', at: '2026-12-01T11:00:00.000Z' },
    },
    mergeRequests: {
      '42!5': mr(5, '17.5', 'merged'),
      '42!6': mr(6, '17.4', 'opened'),
      '42!7': mr(7, '17.3', 'closed'),
    },
    gates: {
      'phase:day-one': { status: 'waiting', token: GATE_TOKEN, since: '2026-12-01T00:00:00.000Z' },
      'pipeline:build-packages@17.5': {
        status: 'open',
        token: `${GATE_TOKEN}-2`,
        since: '2026-12-01T10:30:00.000Z',
        openedAt: '2026-12-01T11:00:00.000Z',
      },
    },
  };
}

function mr(iid: number, version: string, state: 'opened' | 'merged' | 'closed') {
  return {
    projectId: 42,
    iid,
    targetBranch: `${version.replace('.', '-')}-stable`,
    sourceBranch: `security-${iid}`,
    version,
    state,
    url: `https://gitlab.example.com/acme/product/-/merge_requests/${iid}`,
    updatedAt: '2026-12-01T09:00:00.000Z',
    countedVia: 'role' as const,
  };
}

describe('release view: what /api/releases/:id answers', () => {
  it('lists every task with its owners, their GitLab users, status and the phase cutoff it is due by', () => {
    const view = viewAt(releaseOnDayOne(), DAY_ONE_NOON);
    const done = taskOf(view, 'pre-announcement');
    expect(done).toMatchObject({
      phase: 'day-one',
      owners: ['security lead'],
      ownerUsers: [PEOPLE.lead],
      completion: 'manual',
      status: 'done',
      by: PEOPLE.lead,
      at: '2026-12-01T10:00:00.000Z',
      due: DAY_ONE_CUTOFF,
      late: false,
    });
    const perVersion = taskOf(view, 'build-packages@17.4');
    expect(perVersion).toMatchObject({ version: '17.4', status: 'open', late: false });
    expect(perVersion.due).not.toBeNull();
    // One instance per affected version for per-version tasks.
    expect(view.tasks.filter((t) => t.id === 'build-packages').map((t) => t.version)).toEqual([
      '17.5',
      '17.4',
      '17.3',
    ]);
  });

  it('marks a task late when it is open past its cutoff or was done after it, never when done before', () => {
    const state = releaseOnDayOne();
    const lateDone: ReleaseState = {
      ...state,
      tasks: {
        ...state.tasks,
        'pre-announcement': { status: 'done', by: PEOPLE.lead, at: '2026-12-02T01:00:00.000Z' },
      },
    };
    const dayTwo = DateTime.fromISO('2026-12-02T02:00:00Z', { zone: 'utc' });
    const view = viewAt(lateDone, dayTwo);
    expect(taskOf(view, 'pre-announcement').late).toBe(true);
    const openDayOne = view.tasks.filter((t) => t.phase === 'day-one' && t.status === 'open');
    expect(openDayOne.length).toBeGreaterThan(0);
    expect(openDayOne.every((t) => t.late)).toBe(true);
    expect(taskOf(viewAt(state, dayTwo), 'pre-announcement').late).toBe(false);
  });

  it('shows gates with their state and times but never the task token that opens them', () => {
    const view = viewAt(releaseOnDayOne(), DAY_ONE_NOON);
    expect(view.gates).toEqual([
      { id: 'phase:day-one', status: 'waiting', since: '2026-12-01T00:00:00.000Z' },
      {
        id: 'pipeline:build-packages@17.5',
        status: 'open',
        since: '2026-12-01T10:30:00.000Z',
        openedAt: '2026-12-01T11:00:00.000Z',
      },
    ]);
    expect(JSON.stringify(view)).not.toContain(GATE_TOKEN);
  });

  it('builds the versions matrix from live MRs and per-version tasks; a closed MR does not count', () => {
    const state = releaseOnDayOne();
    expect(versionMatrix(state)).toEqual([
      {
        version: '17.5',
        mergeRequests: [{ iid: 5, state: 'merged', notReady: [] }],
        fixes: ['!5 in project 42 (merged) is a fix for 17.5 (by a member of a fix role)'],
        merged: true,
        packagesBuilt: true,
        validated: false,
        published: false,
      },
      {
        version: '17.4',
        mergeRequests: [{ iid: 6, state: 'opened', notReady: ['no pipeline seen'] }],
        fixes: ['!6 in project 42 (opened) is a fix for 17.4 (by a member of a fix role)'],
        merged: false,
        packagesBuilt: false,
        validated: false,
        published: false,
      },
      {
        version: '17.3',
        mergeRequests: [],
        fixes: ['!7 in project 42 (closed) was closed unmerged and is no fix'],
        merged: false,
        packagesBuilt: false,
        validated: false,
        published: false,
      },
    ]);
  });

  it('counts a version published only when its packages, docker image and version entry are all done', () => {
    const state = releaseOnDayOne();
    const done = { status: 'done' as const, by: 'secrel', at: '2026-12-04T10:00:00.000Z' };
    const partly: ReleaseState = {
      ...state,
      tasks: { ...state.tasks, 'publish-packages@17.5': done, 'publish-docker@17.5': done },
    };
    expect(versionMatrix(partly)[0]?.published).toBe(false);
    const fully: ReleaseState = { ...partly, tasks: { ...partly.tasks, 'version-entries@17.5': done } };
    expect(versionMatrix(fully)[0]?.published).toBe(true);
  });

  it('passes the timeline through in order and gives the phases with UTC cutoffs and the next cutoff', () => {
    const timeline: TimelineEntry[] = [
      { at: '2026-12-01T00:00:00.000Z', kind: 'phase', summary: 'entered Day one' },
      {
        at: '2026-12-01T10:00:00.000Z',
        kind: 'task-done',
        summary: 'pre-announcement done',
        actor: PEOPLE.lead,
      },
    ];
    const view = viewAt(releaseOnDayOne(), DAY_ONE_NOON, timeline);
    expect(view.timeline).toEqual(timeline);
    expect(view.now).toBe('2026-12-01T12:00:00.000Z');
    expect(view.speed).toBe(60);
    expect(view.phaseTitle).toMatch(/Day one/);
    const dayOne = view.phases.find((p) => p.id === 'day-one');
    expect(dayOne).toMatchObject({ cutoff: DAY_ONE_CUTOFF, current: true, passed: false });
    expect(view.phases.find((p) => p.id === 'first-steps')).toMatchObject({ passed: true, current: false });
    expect(view.nextCutoff).toEqual({ phase: 'day-one', title: dayOne?.title, at: DAY_ONE_CUTOFF });
  });

  it('shows a release without Day one as not scheduled: no cutoffs, nothing due, nothing late', () => {
    const state: ReleaseState = { ...scheduledRelease() };
    const { dayOne: _unset, ...unscheduled } = state;
    const view = viewAt(unscheduled, DAY_ONE_NOON);
    expect(view.dayOne).toBeNull();
    expect(view.nextCutoff).toBeNull();
    expect(view.tasks.every((t) => t.due === null && !t.late)).toBe(true);
  });
});
