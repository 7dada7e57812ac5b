import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PLAYBOOK } from '../../../lib/core/default-playbook.js';
import { statusReport } from '../../../lib/core/status-report.js';
import type { ReleaseState } from '../../../lib/core/types/release.js';
import { buildReleaseView } from '../../../lib/local/dashboard/release-view.js';
import { CONFIG, command, newRelease, scheduledRelease } from '../../core/release-helpers.js';

/** The dashboard's cockpit facts: warnings, trouble first, overdue cutoffs, MR readiness. */

const DAY_TWO_NOON = DateTime.fromISO('2026-12-02T12:00:00Z', { zone: 'utc' });

function viewAt(state: ReleaseState, now: DateTime = DAY_TWO_NOON) {
  return buildReleaseView(state, [], { now: () => now, roles: CONFIG.roles, speed: 60 });
}

describe('the dashboard shows warnings where people decide', () => {
  it('a publication on a Friday is a warning', () => {
    // Day one 2026-12-01 (Tuesday): publication Friday 2026-12-04.
    expect(viewAt(scheduledRelease()).warnings).toEqual([
      expect.stringMatching(/publication 2026-12-04T23:59Z falls on a Friday/),
    ]);
  });

  it('a release without Day one, or publishing early in the week, has none', () => {
    expect(viewAt(newRelease()).warnings).toEqual([]);
    expect(viewAt(command(newRelease(), '/secrel start 2026-12-05').state).warnings).toEqual([]);
  });
});

describe('the dashboard shows why each security MR of a version is not ready', () => {
  it('lists the hook reasons and the head pipeline per MR in the versions matrix', () => {
    const state = scheduledRelease('17.5');
    const withMr: ReleaseState = {
      ...state,
      mergeRequests: {
        '42!9': {
          projectId: 42,
          iid: 9,
          targetBranch: '17-5-stable',
          sourceBranch: 'fix-17-5',
          version: '17.5',
          state: 'opened',
          url: 'https://gitlab.example.com/acme/product/-/merge_requests/9',
          updatedAt: '2026-12-01T09:00:00.000Z',
          // Opened by the dev team: it counts as 17.5's fix, so the matrix shows it.
          countedVia: 'role',
          notReady: ['draft', 'not approved'],
        },
      },
      pipelines: {
        '42:fix-17-5': {
          projectId: 42,
          pipelineId: 3,
          ref: 'fix-17-5',
          status: 'running',
          updatedAt: '2026-12-01T09:10:00.000Z',
        },
      },
    };
    const [row] = viewAt(withMr).matrix;
    expect(row?.mergeRequests).toEqual([
      { iid: 9, state: 'opened', notReady: ['draft', 'not approved', 'pipeline running'] },
    ]);
    expect(statusReport(withMr, DEFAULT_PLAYBOOK)).toContain(
      '- !9 (17.5): not ready: draft; not approved; pipeline running',
    );
  });
});
