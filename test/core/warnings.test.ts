import { describe, expect, it } from 'vitest';
import { DEFAULT_PLAYBOOK } from '../../lib/core/default-playbook.js';
import { statusReport } from '../../lib/core/status-report.js';
import { releaseWarnings } from '../../lib/core/warnings.js';
import { command, newRelease, PEOPLE, replies } from './release-helpers.js';

/** Embargo warnings where people decide: the start and slip replies, and the status reply. */

describe('embargo warnings in replies', () => {
  it('/secrel start for a Day one whose publication lands on a Friday warns in the reply', () => {
    // Day one Tuesday 2026-12-01: publication at the end of Day four, Friday 2026-12-04 23:59 UTC.
    const result = command(newRelease(), '/secrel start 2026-12-01');
    const [reply] = replies(result);
    expect(reply).toContain('Day one is 2026-12-01 (UTC).');
    expect(reply).toMatch(/Warning: publication 2026-12-04T23:59Z falls on a Friday \(UTC\)/);
  });

  it('says nothing when publication falls early in the week', () => {
    // Day one Saturday 2026-12-05: publication Tuesday 2026-12-08.
    const [reply] = replies(command(newRelease(), '/secrel start 2026-12-05'));
    // The reply goes on with the preflight and the setup-check note; what matters here is no warning.
    expect(reply).toMatch(/^secrel: Day one is 2026-12-05 \(UTC\)\.\n/);
    expect(reply).not.toMatch(/warning/i);
  });

  it('warns of an embargo longer than 14 days, counted from when the release started', () => {
    const [reply] = replies(command(newRelease(), '/secrel start 2026-12-21'));
    expect(reply).toMatch(/Warning: embargo of 24 days .* is longer than 14 days/);
  });

  it('a slip that pushes publication into the weekend warns in its reply', () => {
    const monday = command(
      command(newRelease(), '/secrel versions 17.5').state,
      '/secrel start 2026-12-05',
    ).state;
    expect(releaseWarnings(monday, DEFAULT_PLAYBOOK)).toEqual([]);
    const [reply] = replies(command(monday, '/secrel slip 72', PEOPLE.lead));
    expect(reply).toMatch(/Warning: publication 2026-12-11T23:59Z falls on a Friday/);
  });

  it('/secrel status shows the warnings', () => {
    const friday = command(newRelease(), '/secrel start 2026-12-01').state;
    expect(statusReport(friday, DEFAULT_PLAYBOOK)).toContain(
      'Warning: publication 2026-12-04T23:59Z falls on a Friday',
    );
  });
});
