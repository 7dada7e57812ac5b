import { describe, expect, it } from 'vitest';
import { clickedBoxes } from '../../lib/core/checklist.js';
import { DEFAULT_PLAYBOOK } from '../../lib/core/default-playbook.js';
import { livingSection, replaceLivingSection } from '../../lib/core/documents/living-section.js';
import { apply } from '../../lib/core/release/apply.js';
import type { IssueEvent } from '../../lib/core/types/events.js';
import type { ReleaseState } from '../../lib/core/types/release.js';
import {
  CONFIG,
  command,
  ctxAt,
  issueEvent,
  PEOPLE,
  PROJECT,
  RELEASE_IID,
  replies,
  scheduledRelease,
} from './release-helpers.js';

/** The two-way checklist: a person's click on a box of the living section is `/secrel done`. */

function description(state: ReleaseState): string {
  return replaceLivingSection(
    'People notes.',
    livingSection({ state, playbook: DEFAULT_PLAYBOOK, roles: CONFIG.roles }),
  );
}

/** The release with its release issue known. */
function release(): ReleaseState {
  return { ...scheduledRelease('17.5'), releaseIssue: { projectId: PROJECT.id, iid: RELEASE_IID } };
}

/** A person clicks the box of `key` in GitLab: only `[ ]`/`[x]` changes on that line. */
function click(text: string, key: string): string {
  return text.replace(new RegExp(`^- \\[( |x)\\] \`${key.replace('.', '\\.')}\``, 'm'), (line) =>
    line.includes('[ ]') ? line.replace('[ ]', '[x]') : line.replace('[x]', '[ ]'),
  );
}

function edit(previous: string, current: string, actor: string): IssueEvent {
  return issueEvent({
    iid: RELEASE_IID,
    action: 'update',
    labels: [],
    addedLabels: [],
    actor,
    descriptionChange: { previous, current },
  });
}

describe('ticking a box of the release issue', () => {
  it('marks the task done by the person who ticked it', () => {
    const state = release();
    const before = description(state);
    const result = apply(state, edit(before, click(before, 'pre-announcement'), PEOPLE.lead), ctxAt(20));
    expect(result.state.tasks['pre-announcement']).toMatchObject({ status: 'done', by: PEOPLE.lead });
    expect(replies(result)).toEqual([]);
  });

  it('unticking a manual task reopens it', () => {
    const done = command(release(), '/secrel done pre-announcement').state;
    const before = description(done);
    const result = apply(done, edit(before, click(before, 'pre-announcement'), PEOPLE.lead), ctxAt(20));
    expect(result.state.tasks['pre-announcement']?.status).toBe('open');
  });

  it('an unauthorized tick changes nothing and is answered once with why', () => {
    const state = release();
    const before = description(state);
    const result = apply(state, edit(before, click(before, 'pre-announcement'), PEOPLE.packager), ctxAt(20));
    expect(result.state.tasks['pre-announcement']?.status).toBe('open');
    expect(replies(result)).toHaveLength(1);
    expect(replies(result)[0]).toMatch(
      /the box of pre-announcement was put back: pre-announcement belongs to security lead/,
    );
    // The changed release makes secrel rewrite the section from it, which unticks the box again.
    expect(result.changed).toBe(true);
    expect(description(result.state)).toBe(before);
  });

  it('a tick on a task secrel performs itself is put back', () => {
    const state = release();
    const before = description(state);
    const result = apply(state, edit(before, click(before, 'build-packages@17.5'), PEOPLE.lead), ctxAt(20));
    expect(result.state.tasks['build-packages@17.5']?.status).toBe('open');
    expect(replies(result)[0]).toContain('secrel performs it itself');
  });

  it('secrel’s own rewrite that ticks a box does not echo back as a command', () => {
    const state = release();
    const before = description(state);
    const done = command(state, '/secrel done pre-announcement').state;
    const after = description(done);
    expect(clickedBoxes(before, after)).toEqual([]);
    // Even if the release moved on meanwhile (the task reopened), secrel's edit is not a person's tick.
    const result = apply(state, edit(before, after, 'secrel-bot'), ctxAt(20));
    expect(result.changed).toBe(false);
  });

  it('ignores edits outside the section and edits of other issues', () => {
    const state = release();
    const before = description(state);
    expect(apply(state, edit(before, `More notes. ${before}`, PEOPLE.lead), ctxAt(20)).changed).toBe(false);
    const other = { ...edit(before, click(before, 'pre-announcement'), PEOPLE.lead), iid: 999 };
    expect(apply(state, other, ctxAt(20)).changed).toBe(false);
  });
});
