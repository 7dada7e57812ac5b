import { describe, expect, it } from 'vitest';
import { SETUP_CHECK_NOTE } from '../../../lib/core/release/schedule-commands.js';
import { command, newRelease, PEOPLE, PROJECT } from '../release-helpers.js';

/** `/secrel start` asks for the GitLab setup check (pure core): after its reply, never instead of the schedule. */

describe('/secrel start asks for the GitLab setup check', () => {
  it('sets Day one, says a check runs and the schedule goes on, and asks for it after the reply', () => {
    const result = command(command(newRelease(), '/secrel versions 17.5').state, '/secrel start 2026-12-01');
    expect(result.state.dayOne).toBe('2026-12-01');
    expect(result.state.status).toBe('scheduled');
    const kinds = result.effects.map((e) => e.type);
    expect(kinds.indexOf('check-setup')).toBeGreaterThan(kinds.indexOf('reply'));
    const check = result.effects.find((e) => e.type === 'check-setup');
    expect(check).toEqual({
      type: 'check-setup',
      issue: result.state.releaseIssue ?? result.state.vulnerabilityIssue,
      projectIds: [PROJECT.id],
    });
    const reply = result.effects.find((e) => e.type === 'reply');
    expect(reply?.type === 'reply' && reply.body).toContain(SETUP_CHECK_NOTE);
  });

  it('asks for no check when start changes nothing, is refused, or fails', () => {
    const started = command(newRelease(), '/secrel start 2026-12-01').state;
    const again = command(started, '/secrel start 2026-12-01');
    expect(again.effects.map((e) => e.type)).toEqual(['reply']);
    const byDeveloper = command(newRelease(), '/secrel start 2026-12-01', PEOPLE.dev);
    expect(byDeveloper.effects.map((e) => e.type)).toEqual(['reply']);
    const bad = command(newRelease(), '/secrel start someday');
    expect(bad.effects.map((e) => e.type)).toEqual(['reply']);
  });

  it('keeps each command its own check after its own reply when one comment holds several', () => {
    const result = command(newRelease(), '/secrel versions 17.5\n/secrel start 2026-12-01\n/secrel status');
    expect(result.effects.map((e) => e.type)).toEqual(['reply', 'reply', 'check-setup', 'reply']);
  });
});
