import type { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { utc } from '../../lib/core/documents/format.js';
import { phaseCutoff, reachedPhase } from '../../lib/local/rehearsal/beats.js';
import { REHEARSAL_PEOPLE } from '../../lib/local/rehearsal/world.js';
import { useRehearsalWorld } from '../support/rehearsal-world.js';
import { playStory } from './support/storyline.js';

/**
 * Re-timing end to end (issue #10, deviation 2): DynamoDB Local, the generated ASL on the local
 * engine, ingress over HTTP, fake GitLab. The 17.3 backport stays unmerged, so Day two's gate waits;
 * `/secrel slip` moves it while it waits. Reminders and escalations follow the cutoff in force:
 * nothing at the old moments, each new moment exactly once.
 */

const startWorld = useRehearsalWorld();

/** Plays until release time is an hour past both the old and the new Day two cutoff; returns both. */
async function slipWhileDayTwoWaits(hours: number): Promise<{
  notes: readonly string[];
  oldCutoff: DateTime;
  newCutoff: DateTime;
}> {
  const w = await startWorld();
  let oldCutoff: DateTime | undefined;
  let newCutoff: DateTime | undefined;
  let slipped = false;
  await playStory(w, {
    unmerged: '17.3',
    timeoutMs: 150_000,
    onTick: async ({ state, now }) => {
      const cutoff = phaseCutoff(state, 'day-two');
      if (slipped || !cutoff || !reachedPhase(state, 'day-two')) return;
      // Well before the reminder (cutoff - 2 h), while the Day two gate waits.
      if (now < cutoff.minus({ hours: 20 }) && state.releaseIssue) {
        oldCutoff = cutoff;
        slipped = true;
        await w.gitlab.comment(
          state.releaseIssue.projectId,
          state.releaseIssue.iid,
          `/secrel slip ${hours}`,
          REHEARSAL_PEOPLE['release managers'],
        );
      }
    },
    until: ({ state, now }) => {
      if (!slipped || !oldCutoff) return false;
      const moved = phaseCutoff(state, 'day-two');
      if (!moved || moved.equals(oldCutoff)) return false;
      newCutoff = moved;
      const latest = moved > oldCutoff ? moved : oldCutoff;
      return now > latest.plus({ hours: 1 });
    },
  });
  if (!oldCutoff || !newCutoff) throw new Error('the slip never happened');
  return { notes: w.gitlab.notes.map((n) => n.body), oldCutoff, newCutoff };
}

function dayTwoNotices(notes: readonly string[]) {
  const reminders = notes.filter((n) => n.startsWith('### Reminder: Day two cutoff'));
  const late = notes.filter((n) => n.startsWith('### Late: Day two missed'));
  return { reminders, late };
}

describe('/secrel slip while a gate waits', () => {
  it('+24 h: no reminder or escalation at the old moments, one of each at the new ones', async () => {
    const { notes, oldCutoff, newCutoff } = await slipWhileDayTwoWaits(24);
    expect(newCutoff.diff(oldCutoff, 'hours').hours).toBe(24);
    const { reminders, late } = dayTwoNotices(notes);
    expect(reminders).toHaveLength(1);
    expect(reminders[0]).toContain(utc(newCutoff));
    // Exactly one escalation at the new cutoff (a later one, 4 h on, may come if the story runs long).
    expect(late.filter((n) => n.includes(`asks again at ${utc(newCutoff.plus({ hours: 4 }))}`))).toHaveLength(
      1,
    );
    for (const note of late) expect(note).toContain(`of ${utc(newCutoff)}`);
    expect(new Set(late).size).toBe(late.length);
    expect(notes.some((n) => n.includes(`of ${utc(oldCutoff)}`) || n.includes(`at ${utc(oldCutoff)}`))).toBe(
      false,
    );
  }, 200_000);

  it('-12 h: the reminder and escalation come twelve hours earlier, once, and nothing at the old moments', async () => {
    const { notes, oldCutoff, newCutoff } = await slipWhileDayTwoWaits(-12);
    expect(oldCutoff.diff(newCutoff, 'hours').hours).toBe(12);
    const { reminders, late } = dayTwoNotices(notes);
    expect(reminders).toHaveLength(1);
    expect(reminders[0]).toContain(utc(newCutoff));
    // The old cutoff is 12 h after the new one: an escalation at new + 4 h and + 8 h, not at the old moment.
    expect(late.length).toBeGreaterThanOrEqual(1);
    for (const note of late) expect(note).toContain(`of ${utc(newCutoff)}`);
    expect(new Set(late).size).toBe(late.length);
    expect(
      notes.some((n) => n.includes(`cutoff at ${utc(oldCutoff)}`) || n.includes(`of ${utc(oldCutoff)}`)),
    ).toBe(false);
  }, 200_000);
});
