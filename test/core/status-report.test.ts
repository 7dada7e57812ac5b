import { describe, expect, it } from 'vitest';
import { DEFAULT_PLAYBOOK } from '../../lib/core/default-playbook.js';
import { statusReport } from '../../lib/core/status-report.js';
import { command, newRelease, PEOPLE, scheduledRelease } from './release-helpers.js';

describe('the /secrel status report', () => {
  it('says where the release stands: phase, cutoff, Day one, versions and slip', () => {
    const report = statusReport(scheduledRelease(), DEFAULT_PLAYBOOK, {
      'first-steps': '2026-12-01T00:00:00.000Z',
    });
    expect(report.split('\n')[0]).toBe(
      '### Security release 42-77: scheduled, First steps (cutoff 2026-12-01T00:00Z)',
    );
    expect(report).toContain('Day one: 2026-12-01 · affected versions: 17.5, 17.4, 17.3 · slip: 0 h');
  });

  it('lists open tasks of the current phase with their owner roles, and not the done ones', () => {
    const report = statusReport(scheduledRelease(), DEFAULT_PLAYBOOK);
    expect(report).toContain('- [ ] `mitigation` Install mitigation for GitLab.com');
    expect(report).toContain('(infrastructure)');
    expect(report).not.toContain('`vulnerability-issue`');
  });

  it('lists overdue tasks of earlier phases and counts those of later phases', () => {
    const running = { ...scheduledRelease(), phase: 'day-one' as const, status: 'running' as const };
    const report = statusReport(running, DEFAULT_PLAYBOOK);
    expect(report).toContain('**First steps**');
    expect(report).toContain('`request-cve`');
    expect(report).not.toContain('`cherry-pick@17.5`');
    expect(report).toMatch(/\d+ more open in later phases\./);
  });

  it('shows what each gate waits for', () => {
    const report = statusReport(newRelease(), DEFAULT_PLAYBOOK);
    expect(report).toContain('- `schedule-confirmed`: waiting on Day one is not set');
    expect(report).toContain('- `publish`: waiting on');
    expect(report).toMatch(/and \d+ more/);
  });

  it('mentions no one: owners appear as roles, never as @usernames', () => {
    const report = statusReport(
      command(scheduledRelease(), '/secrel done request-cve').state,
      DEFAULT_PLAYBOOK,
    );
    expect(report).not.toMatch(/@[A-Za-z]/);
    expect(report).not.toContain(PEOPLE.lead);
  });

  it('says when the release was aborted', () => {
    const aborted = command(scheduledRelease(), '/secrel abort wrong fix').state;
    expect(statusReport(aborted, DEFAULT_PLAYBOOK)).toContain('This release was aborted.');
    expect(statusReport(aborted, DEFAULT_PLAYBOOK)).not.toContain('wrong fix');
  });
});
