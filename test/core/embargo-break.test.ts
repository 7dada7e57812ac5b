import { describe, expect, it } from 'vitest';
import { DEFAULT_PLAYBOOK } from '../../lib/core/default-playbook.js';
import { livingSection } from '../../lib/core/documents/living-section.js';
import { evaluateGate } from '../../lib/core/gates.js';
import { apply } from '../../lib/core/release/apply.js';
import { computeSchedule, nextCutoff, parseDayOne } from '../../lib/core/schedule.js';
import type { ReleaseState } from '../../lib/core/types/release.js';
import {
  CONFIG,
  ctxAt,
  issueEvent,
  mrEvent,
  noteEvent,
  PEOPLE,
  PROJECT,
  RELEASE_IID,
  replies,
  scheduledRelease,
  VULN_IID,
} from './release-helpers.js';

/**
 * Embargo break: an issue of the release made public before publication escalates once, and
 * `/secrel expedite` pulls the remaining cutoffs in without touching any gate.
 */

/** Day two (2026-12-02) 10:00 UTC, in minutes after the helpers' T0 (2026-11-30T09:00Z). */
const DAY_TWO = 2 * 24 * 60 + 60;

function onDayTwo(): ReleaseState {
  return {
    ...scheduledRelease(),
    status: 'running',
    phase: 'day-two',
    releaseIssue: { projectId: PROJECT.id, iid: RELEASE_IID },
  };
}

const madePublic = (iid = VULN_IID) =>
  issueEvent({ iid, confidential: false, action: 'update', labels: [], addedLabels: [], actor: PEOPLE.dev });

describe('embargo break', () => {
  it('the vulnerability issue made public on Day two escalates once to the security lead and release managers', () => {
    const first = apply(onDayTwo(), madePublic(), ctxAt(DAY_TWO));
    expect(first.state.embargoBrokenAt).toBe('2026-12-02T10:00:00.000Z');
    const [runbook] = replies(first);
    expect(runbook).toContain('### Embargo broken: the vulnerability issue is public before publication');
    expect(runbook).toContain('@sam');
    expect(runbook).toContain('@rita');
    expect(runbook).toContain('/secrel expedite <hours>');
    const notices = first.effects.filter((e) => e.type === 'notify');
    expect(notices).toHaveLength(1);
    expect(first.timeline.map((t) => t.kind)).toContain('embargo-broken');
    // A second sign (the release issue too, a redelivery) does not escalate again.
    const second = apply(first.state, madePublic(RELEASE_IID), ctxAt(DAY_TWO + 5));
    expect(second.changed).toBe(false);
    expect(livingSection({ state: first.state, playbook: DEFAULT_PLAYBOOK, roles: CONFIG.roles })).toContain(
      '**Embargo broken** at 2026-12-02 10:00 UTC',
    );
  });

  it('a confidential issue event, or one after publication, is not a break', () => {
    expect(apply(onDayTwo(), { ...madePublic(), confidential: true }, ctxAt(DAY_TWO)).changed).toBe(false);
    const disclosing = { ...onDayTwo(), status: 'disclosing' as const };
    expect(apply(disclosing, madePublic(), ctxAt(DAY_TWO)).changed).toBe(false);
  });

  it('/secrel expedite 6 moves the next cutoff to now + 6 h and every later one with it; gates unchanged', () => {
    const broken = apply(onDayTwo(), madePublic(), ctxAt(DAY_TWO)).state;
    const result = apply(broken, noteEvent('/secrel expedite 6', { noteId: 9001 }), ctxAt(DAY_TWO));
    const now = ctxAt(DAY_TWO).now;
    const schedule = computeSchedule(
      DEFAULT_PLAYBOOK,
      parseDayOne(result.state.dayOne ?? ''),
      result.state.slipHours,
    );
    const next = nextCutoff(schedule, now);
    // Day two's cutoff (2026-12-02 23:59) is pulled in to by 16:00 (now + 6 h), 8 h earlier.
    expect(next?.at.toISO()).toBe('2026-12-02T15:59:00.000Z');
    expect(result.state.slipHours).toBe(-8);
    expect(replies(result)[0]).toContain('every remaining cutoff moves 8 h earlier');
    expect(evaluateGate(result.state, 'publish', DEFAULT_PLAYBOOK).holds).toBe(false);
    expect(result.effects.filter((e) => e.type === 'open-gate')).toEqual([]);
  });

  it('/secrel expedite is the security lead’s alone', () => {
    const broken = apply(onDayTwo(), madePublic(), ctxAt(DAY_TWO)).state;
    const result = apply(
      broken,
      noteEvent('/secrel expedite 6', { noteId: 9002, actor: PEOPLE.manager }),
      ctxAt(DAY_TWO),
    );
    expect(result.state.slipHours).toBe(0);
    expect(replies(result)[0]).toContain('refused');
  });
});

describe('embargo break by a security MR becoming visible', () => {
  const publicMr = (over: Parameters<typeof mrEvent>[0] = {}) =>
    mrEvent({ iid: 501, projectPublic: true, updatedAt: '2026-12-02T09:59:00.000Z', ...over });
  const breaks = (result: ReturnType<typeof apply>) =>
    result.timeline.filter((t) => t.kind === 'embargo-broken').length;

  it('an MR in a public configured project referencing the vulnerability issue escalates once, and still joins', () => {
    const first = apply(onDayTwo(), publicMr(), ctxAt(DAY_TWO));
    expect(first.state.embargoBrokenAt).toBe('2026-12-02T10:00:00.000Z');
    expect(breaks(first)).toBe(1);
    expect(first.state.mergeRequests[`${PROJECT.id}!501`]).toBeDefined();
    const [runbook] = replies(first);
    expect(runbook).toContain(
      '### Embargo broken: the security MR !501 (project 42) is public before publication',
    );
    expect(first.effects.filter((e) => e.type === 'notify')).toHaveLength(1);
    // The next event of the same MR, still public, does not escalate again.
    const again = apply(
      first.state,
      publicMr({ updatedAt: '2026-12-02T10:30:00.000Z' }),
      ctxAt(DAY_TWO + 30),
    );
    expect(breaks(again)).toBe(0);
    expect(again.state.embargoBrokenAt).toBe('2026-12-02T10:00:00.000Z');
  });

  it('one of the release’s MRs whose project turns public escalates, even without a reference in its text', () => {
    const joined = apply(onDayTwo(), publicMr({ projectPublic: false }), ctxAt(DAY_TWO)).state;
    expect(joined.embargoBrokenAt).toBeUndefined();
    const seen = apply(
      joined,
      publicMr({ description: 'no reference here', updatedAt: '2026-12-02T10:10:00.000Z' }),
      ctxAt(DAY_TWO + 10),
    );
    expect(breaks(seen)).toBe(1);
  });

  it('does not escalate for a private or internal project, an unknown visibility, an unrelated MR, or once publication started', () => {
    expect(
      apply(onDayTwo(), publicMr({ projectPublic: false }), ctxAt(DAY_TWO)).state.embargoBrokenAt,
    ).toBeUndefined();
    const noVisibility = mrEvent({ iid: 502, updatedAt: '2026-12-02T09:59:00.000Z' });
    expect(apply(onDayTwo(), noVisibility, ctxAt(DAY_TWO)).state.embargoBrokenAt).toBeUndefined();
    const unrelated = publicMr({ iid: 503, description: 'Refactor the parser', title: 'Refactor' });
    const result = apply(onDayTwo(), unrelated, ctxAt(DAY_TWO));
    expect(result.changed).toBe(false);
    for (const status of ['publishing', 'disclosing', 'afterwards'] as const) {
      const later = apply({ ...onDayTwo(), status }, publicMr(), ctxAt(DAY_TWO));
      expect(later.state.embargoBrokenAt, status).toBeUndefined();
    }
  });

  it('an MR in a public project secrel is not configured for is not read, however it is worded', () => {
    const elsewhere = publicMr({ projectId: 999, projectPath: 'someone/fork' });
    expect(apply(onDayTwo(), elsewhere, ctxAt(DAY_TWO)).changed).toBe(false);
  });
});
