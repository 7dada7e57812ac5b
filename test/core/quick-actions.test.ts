import { describe, expect, it } from 'vitest';
import { normalizeUsername, rolesOf } from '../../lib/core/permissions.js';
import { proseLines } from '../../lib/core/quick-actions.js';
import { apply } from '../../lib/core/release/apply.js';
import type { NoteEvent } from '../../lib/core/types/events.js';
import { CONFIG, ctxAt, noteEvent, PEOPLE, replies, scheduledRelease } from './release-helpers.js';

/**
 * `/secrel` lines run like GitLab quick actions. Each case is a comment that must not steer the release:
 * its Day one must stay as it was.
 */

const release = scheduledRelease();
const slip = (over: Partial<NoteEvent>, body = '/secrel slip 4') =>
  apply(release, noteEvent(body, over), ctxAt(20));

describe('quick-action rules for /secrel comments', () => {
  it('runs a command from a new confidential comment by the security lead (the control case)', () => {
    expect(slip({}).state.slipHours).toBe(4);
  });

  it('does not run an edited comment', () => {
    const edited = slip({ action: 'update' });
    expect(edited.state.slipHours).toBe(0);
    expect(replies(edited).join()).toContain('not edits');
  });

  it('does not run a system note', () => {
    const system = slip({ system: true });
    expect(system.changed).toBe(false);
  });

  it('does not run a command inside a fenced code block (``` or ~~~)', () => {
    for (const body of [
      '```\n/secrel slip 4\n```',
      '~~~md\n/secrel slip 4\n~~~',
      '````\n```\n/secrel slip 4\n````',
    ]) {
      expect(slip({}, body).changed, body).toBe(false);
    }
  });

  it('does not run a command in an indented code block', () => {
    expect(slip({}, 'Example:\n\n    /secrel slip 4').changed).toBe(false);
  });

  it('does not run a command written as inline code', () => {
    expect(slip({}, '`/secrel slip 4`').changed).toBe(false);
    expect(slip({}, 'try `/secrel slip 4` if late').changed).toBe(false);
  });

  it('runs the command after a closed fence', () => {
    expect(slip({}, '```\nquoted\n```\n/secrel slip 4').state.slipHours).toBe(4);
  });

  it('does not run a public comment while the release is embargoed', () => {
    const open = slip({ confidential: false });
    expect(open.state.slipHours).toBe(0);
    expect(open.timeline.map((e) => e.kind)).toEqual(['command-ignored']);
    expect(replies(open).join()).toContain('confidential or internal');
  });

  it('does not run a comment on another issue', () => {
    expect(slip({ noteableIid: 1234 }).changed).toBe(false);
    expect(slip({ noteableType: 'MergeRequest' }).changed).toBe(false);
  });

  it('compares usernames with ASCII case folding only: the Kelvin sign is not k', () => {
    const withK = { ...CONFIG, roles: { ...CONFIG.roles, 'security lead': ['kim'] } };
    expect(rolesOf(withK, 'KIM')).toEqual(['security lead']);
    expect(rolesOf(withK, '@Kim')).toEqual(['security lead']);
    expect(rolesOf(withK, '\u212Aim')).toEqual([]);
    expect(normalizeUsername('\u212Aim')).toBe('\u212Aim');
    const upper = apply(release, noteEvent('/secrel slip 4', { actor: `${PEOPLE.lead.toUpperCase()}` }), {
      ...ctxAt(20),
    });
    expect(upper.state.slipHours).toBe(4);
    const impostor = apply(release, noteEvent('/secrel slip 4', { actor: '\u212Aim' }), {
      ...ctxAt(20),
      config: withK,
    });
    expect(impostor.state.slipHours).toBe(0);
  });
});

describe('proseLines', () => {
  it('keeps prose and drops code', () => {
    expect(proseLines('a\n```\nb\n```\nc\n\td\n    e\nf')).toEqual(['a', 'c', 'f']);
  });
});
