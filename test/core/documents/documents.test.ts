import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PLAYBOOK } from '../../../lib/core/default-playbook.js';
import {
  escalationComment,
  lessonsLearnedBody,
  mention,
  phaseStartComment,
  type RoleMap,
  releaseIssueBody,
  timelineRows,
} from '../../../lib/core/documents/index.js';
import { computeSchedule } from '../../../lib/core/schedule.js';

const roles: RoleMap = {
  'security lead': ['sec-lead'],
  'release managers': ['rm-one', 'rm-two'],
  'dev team': ['dev-one'],
  'packaging team': ['packager'],
};
const dayOne = DateTime.fromISO('2026-12-01', { zone: 'utc' });
const schedule = computeSchedule(DEFAULT_PLAYBOOK, dayOne);
const versions = ['17.5', '17.4', '17.3'];

describe('release issue body', () => {
  const body = releaseIssueBody({
    releaseId: '42-7',
    vulnerabilityIssue: { projectId: 42, iid: 7, url: 'https://gitlab.example.com/acme/product/-/issues/7' },
    versions,
    playbook: DEFAULT_PLAYBOOK,
    schedule,
    roles,
  });

  it('links the vulnerability issue and lists the affected versions', () => {
    expect(body).toContain('#7 (https://gitlab.example.com/acme/product/-/issues/7)');
    expect(body).toContain('17.5, 17.4 and 17.3');
  });

  it('has one heading per phase with its cutoff in UTC', () => {
    for (const phase of DEFAULT_PLAYBOOK.phases) expect(body).toContain(`## ${phase.title}`);
    expect(body).toContain('Cutoff: 2026-12-04 12:00 UTC');
    expect(body).toContain('Cutoff: 2026-12-04 23:59 UTC');
  });

  it('has a checklist line for every task of every affected version, with owners mentioned', () => {
    const lines = body.split('\n').filter((line) => line.startsWith('- [ ] '));
    const perVersion = DEFAULT_PLAYBOOK.tasks.filter((t) => t.scope === 'each-version').length;
    const once = DEFAULT_PLAYBOOK.tasks.filter((t) => t.scope !== 'each-version').length;
    expect(lines).toHaveLength(once + perVersion * versions.length);
    expect(body).toContain('- [ ] Cherry-pick all patches to releases (17.4) — @rm-one @rm-two');
    expect(body).toContain('`/secrel done request-cve`');
  });

  it('says how to set Day one while it is not set', () => {
    const early = releaseIssueBody({
      releaseId: '42-7',
      vulnerabilityIssue: { projectId: 42, iid: 7 },
      versions: [],
      playbook: DEFAULT_PLAYBOOK,
      roles,
    });
    expect(early).toContain('/secrel start YYYY-MM-DD');
    expect(early).toContain('/secrel versions');
  });
});

describe('owner comments', () => {
  it('mentions every owner once and names roles nobody is configured for', () => {
    expect(mention(roles, ['security lead', 'release managers', 'security lead'])).toBe(
      '@sec-lead @rm-one @rm-two',
    );
    expect(mention(roles, ['marketing'])).toBe('_marketing (nobody configured)_');
  });

  it('tells a phase’s owners their tasks and the cutoff at the phase start', () => {
    const comment = phaseStartComment({
      phaseTitle: 'Day one',
      cutoff: schedule.phases[1]!.cutoff,
      tasks: [
        {
          key: 'merge-patches',
          text: 'Merge all patches to dev.gitlab.org',
          owners: ['dev team'],
          manual: false,
        },
        { key: 'request-cve', text: 'Request pre-assigned CVE', owners: ['security lead'], manual: true },
      ],
      roles,
    });
    expect(comment).toContain('@dev-one @sec-lead: these tasks are due by **2026-12-01 23:59 UTC**');
    expect(comment).toContain('`/secrel done request-cve`');
    expect(comment).not.toContain('`/secrel done merge-patches`');
  });

  it('escalates to owners, the security lead and release managers with what is late', () => {
    const comment = escalationComment({
      what: 'Day two',
      missedCutoff: schedule.phases[2]!.cutoff,
      nextEscalation: schedule.phases[3]!.cutoff,
      late: [
        {
          key: 'cherry-pick@17.4',
          text: 'Cherry-pick all patches to releases',
          owners: ['dev team'],
          manual: false,
        },
      ],
      missing: ['MR !12 for 17.4 not merged'],
      roles,
    });
    expect(comment).toContain('@dev-one @sec-lead @rm-one @rm-two');
    expect(comment).toContain('missed its cutoff of 2026-12-02 23:59 UTC');
    expect(comment).toContain('- MR !12 for 17.4 not merged');
    expect(comment).toContain('asks again at 2026-12-03 23:59 UTC');
  });
});

describe('lessons-learned timeline', () => {
  const input = {
    releaseId: '42-7',
    vulnerabilityIssue: { projectId: 42, iid: 7 },
    versions: ['17.5'],
    playbook: DEFAULT_PLAYBOOK,
    schedule,
    tasks: {
      'request-cve': { status: 'done', at: '2026-12-01T10:00:00.000Z', by: 'sec-lead' },
      'cherry-pick@17.5': { status: 'done', at: '2026-12-03T08:00:00.000Z', by: 'rm-one' },
      'pre-announcement': {
        status: 'waived',
        at: '2026-12-01T11:00:00.000Z',
        by: 'sec-lead',
        reason: 'none',
      },
    },
    now: DateTime.fromISO('2026-12-05T00:00:00Z', { zone: 'utc' }),
  } as const;

  it('gives every task its cutoff, when it was done and by whom', () => {
    const rows = timelineRows(input);
    const cve = rows.find((row) => row.key === 'request-cve');
    expect(cve).toMatchObject({ status: 'done', by: 'sec-lead', slipped: false });
    expect(cve?.cutoff?.toISO()).toBe('2026-12-01T23:59:00.000Z');
  });

  it('marks a task done after its cutoff, and one still open after it, as slipped', () => {
    const rows = timelineRows(input);
    expect(rows.find((row) => row.key === 'cherry-pick@17.5')?.slipped).toBe(true);
    expect(rows.find((row) => row.key === 'blog-post-cve')?.slipped).toBe(true);
    expect(rows.find((row) => row.key === 'lessons-learned')?.slipped).toBe(false);
  });

  it('lists slipped cutoffs above a table of every task', () => {
    const body = lessonsLearnedBody(input);
    expect(body).toContain('- `cherry-pick@17.5`: cutoff 2026-12-02 23:59 UTC, done 2026-12-03 08:00 UTC');
    expect(body).toContain(
      '| Day one | Request pre-assigned CVE (`request-cve`) | 2026-12-01 23:59 UTC | 2026-12-01 10:00 UTC | sec-lead | no |',
    );
  });
});
