import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
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
