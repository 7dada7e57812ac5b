import { describe, expect, it } from 'vitest';
import { DEFAULT_PLAYBOOK } from '../../../lib/core/default-playbook.js';
import {
  extractLivingSection,
  livingSection,
  replaceLivingSection,
  SECTION_END,
  SECTION_START,
} from '../../../lib/core/documents/living-section.js';
import type { ReleaseState } from '../../../lib/core/types/release.js';
import { applyAll, CONFIG, command, mrEvent, newRelease, PEOPLE } from '../release-helpers.js';

/** The section as the release issue would show it for a release. */
function section(state: ReleaseState): string {
  return livingSection({ state, playbook: DEFAULT_PLAYBOOK, roles: CONFIG.roles });
}

describe('the living section of the release issue', () => {
  it('before versions and Day one, says how to set them', () => {
    const text = section(newRelease());
    expect(text.startsWith(SECTION_START)).toBe(true);
    expect(text.endsWith(SECTION_END)).toBe(true);
    expect(text).toContain('Affected versions: not set yet');
    expect(text).toContain('Day one: not set yet');
    expect(text).toContain('Cutoff: set when Day one is set');
  });

  it('after versions and start, shows Day one, every cutoff in UTC and one box per task instance', () => {
    const versions = command(newRelease(), '/secrel versions 17.5,17.4').state;
    const started = command(versions, '/secrel start 2026-12-01').state;
    const text = section(started);
    expect(text).toContain('Affected versions: 17.5 and 17.4');
    expect(text).toContain('Day one: 2026-12-01 00:00 UTC');
    expect(text).toContain('Cutoff: 2026-12-04 23:59 UTC');
    expect(text).not.toContain('set when Day one is set');
    // One box per version of a version-scoped task, with its owner and due time.
    expect(text).toMatch(/- \[ \] `build-packages@17\.5` .* — @pat — due 2026-12-0\d \d\d:\d\d UTC/);
    expect(text).toMatch(/- \[ \] `build-packages@17\.4` /);
    expect(text).toContain('| 17.5 | none yet |');
    expect(text).toContain('| main | none yet |');
  });

  it('ticks a task done by command with who and when, and one done by an observed event', () => {
    const started = command(
      command(newRelease(), '/secrel versions 17.5').state,
      '/secrel start 2026-12-01',
    ).state;
    const done = command(started, '/secrel done pre-announcement').state;
    const merged = applyAll(done, mrEvent({ iid: 501, state: 'merged', action: 'merge' })).state;
    const text = section(merged);
    expect(text).toMatch(/- \[x\] `pre-announcement` .* — done by @sam at 2026-11-30 09:05 UTC/);
    expect(text).toMatch(/- \[x\] `merge-patches` .* — done by @dave at 2026-11-30 09:10 UTC/);
    expect(text).toContain('| main | !501 | merged |');
    // The issue labelled by the security lead is the observed first task.
    expect(text).toMatch(/- \[x\] `vulnerability-issue` /);
  });

  it('after a slip, every cutoff moves and the slip is said', () => {
    const started = command(
      command(newRelease(), '/secrel versions 17.5').state,
      '/secrel start 2026-12-01',
    ).state;
    const slipped = command(started, '/secrel slip 6', PEOPLE.manager).state;
    const text = section(slipped);
    expect(text).toContain('slipped by 6 h');
    expect(text).toContain('Cutoff: 2026-12-05 05:59 UTC');
    expect(text).not.toContain('Cutoff: 2026-12-04 23:59 UTC');
  });

  it('warns when publication falls on a Friday', () => {
    // Day one on Tuesday 2026-12-01: publication at the end of Day four, Friday 2026-12-04.
    const started = command(
      command(newRelease(), '/secrel versions 17.5').state,
      '/secrel start 2026-12-01',
    ).state;
    expect(section(started)).toMatch(/### Warnings[\s\S]*falls on a Friday/);
    const monday = command(
      command(newRelease(), '/secrel versions 17.5').state,
      '/secrel start 2026-12-07',
    ).state;
    expect(section(monday)).not.toContain('falls on a');
  });

  it('shows a failed step with the command that resolves it', () => {
    const started = command(
      command(newRelease(), '/secrel versions 17.5').state,
      '/secrel start 2026-12-01',
    ).state;
    const failed: ReleaseState = {
      ...started,
      gates: {
        'pipeline:build-packages@17.5': {
          status: 'failed',
          since: '2026-12-02T10:00:00.000Z',
          failedAt: '2026-12-02T11:00:00.000Z',
        },
      },
    };
    expect(section(failed)).toContain(
      '**Failed:** gate `pipeline:build-packages@17.5` failed at 2026-12-02 11:00 UTC: `/secrel retry build-packages@17.5`',
    );
  });

  it('says which MR is each version’s fix and why another is not counted', () => {
    const versions = command(newRelease(), '/secrel versions 17.5').state;
    const fix = mrEvent({ iid: 11, targetBranch: '17-5-stable', actor: PEOPLE.dev });
    const stranger = mrEvent({ iid: 12, targetBranch: '17-5-stable', actor: PEOPLE.infra });
    const closed = mrEvent({ iid: 13, targetBranch: 'main', actor: PEOPLE.dev, state: 'closed' });
    const text = section(applyAll(versions, fix, stranger, closed).state);
    const fixes = text.slice(text.indexOf('#### Fixes'));
    expect(fixes).toContain('- !11 in project 42 (opened) is a fix for 17.5 (by a member of a fix role)');
    expect(fixes).toMatch(
      /- !12 in project 42 \(opened\) not counted: neither named with \/secrel mr nor opened/,
    );
    expect(fixes).toContain('- !13 in project 42 (closed) was closed unmerged and is no fix');
    // Before any MR there is nothing to say.
    expect(section(versions)).not.toContain('#### Fixes');
  });

  it('is a pure function of the release: the same release renders the same text', () => {
    const state = command(newRelease(), '/secrel versions 17.5').state;
    expect(section(state)).toBe(section(structuredClone(state)));
  });
});

describe('replacing the section in a description', () => {
  const old = `${SECTION_START}\nold\n${SECTION_END}`;

  it('keeps what people wrote before and after the section, byte for byte', () => {
    const description = `People's notes\r\n\n**keep me**\n\n${old}\n\nMore notes after.  \n`;
    const next = replaceLivingSection(description, `${SECTION_START}\nnew\n${SECTION_END}`);
    expect(next).toBe(
      `People's notes\r\n\n**keep me**\n\n${SECTION_START}\nnew\n${SECTION_END}\n\nMore notes after.  \n`,
    );
    expect(extractLivingSection(next)).toBe(`${SECTION_START}\nnew\n${SECTION_END}`);
  });

  it('appends the section to a description that has none, or whose end marker was deleted', () => {
    expect(replaceLivingSection('Only people text', 'S')).toBe('Only people text\n\nS');
    expect(replaceLivingSection('', 'S')).toBe('S');
    expect(replaceLivingSection(`${SECTION_START} broken`, 'S')).toBe(`${SECTION_START} broken\n\nS`);
  });

  it('changes nothing when the section is already current', () => {
    const description = `notes\n\n${old}`;
    expect(replaceLivingSection(description, old)).toBe(description);
  });
});
