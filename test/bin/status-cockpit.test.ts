import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { releaseViewSchema, statusText } from '../../bin/commands/status.js';
import { buildReleaseView } from '../../lib/local/dashboard/release-view.js';
import { CONFIG, scheduledRelease } from '../core/release-helpers.js';

/** `secrel status <id>` prints the cockpit's warnings from the release API's answer. */

describe('secrel status shows warnings', () => {
  it('prints the embargo warning of a publication on a Friday', () => {
    const view = buildReleaseView(scheduledRelease(), [], {
      now: () => DateTime.fromISO('2026-12-01T12:00:00Z', { zone: 'utc' }),
      roles: CONFIG.roles,
    });
    const text = statusText(releaseViewSchema.parse(JSON.parse(JSON.stringify(view))));
    expect(text).toMatch(/^ {2}WARNING: publication 2026-12-04T23:59Z falls on a Friday/m);
  });
});
