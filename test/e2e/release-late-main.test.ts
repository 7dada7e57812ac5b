import { describe, expect, it } from 'vitest';
import { utc } from '../../lib/core/documents/format.js';
import { phaseCutoff, phaseStart } from '../../lib/local/rehearsal/beats.js';
import { REHEARSAL_VERSIONS } from '../../lib/local/rehearsal/world.js';
import { useRehearsalWorld } from '../support/rehearsal-world.js';
import { playStory } from './support/storyline.js';

/**
 * One late task does not stall the release (issue #10, deviation 1), end to end: DynamoDB Local,
 * the generated ASL on the local engine, ingress over HTTP, fake GitLab. The main-line MR is merged
 * only six hours into Day three. Day two and Day three still start at their times, the versions
 * whose fixes are merged are built on Day three without waiting for it, and Day one's escalation
 * names Day one's own cutoff.
 */

const startWorld = useRehearsalWorld();

describe('the main-line MR merged only on Day three', () => {
  it('starts Day two and Day three on time, builds the merged versions, and escalates Day one at its own cutoff', async () => {
    const w = await startWorld();
    let mainMergedAt: string | undefined;
    let buildsBeforeMain = -1;
    const releaseId = await playStory(w, {
      mainMergedIn: 'day-three',
      mainDelayHours: 6,
      timeoutMs: 200_000,
      onTick: async ({ state, now }) => {
        const main = Object.values(state.mergeRequests).find((mr) => mr.version === 'main');
        if (!mainMergedAt && main?.state === 'merged') {
          mainMergedAt = now.toISO() ?? undefined;
          buildsBeforeMain = w.gitlab.pipelines.filter(
            (p) => p.variables.SECREL_ACTION === 'build-packages',
          ).length;
        }
      },
      until: ({ state }) => state.tasks['merge-patches']?.status === 'done' && state.phase === 'day-three',
    });
    const state = await w.runtime.deps.store.get(releaseId);
    if (!state) throw new Error('release missing');
    const notes = w.gitlab.notes.map((n) => n.body);

    // Day two and Day three were announced while the main line was still unmerged.
    for (const title of ['Day two', 'Day three']) {
      expect(
        notes.filter((n) => n.startsWith(`### ${title} has started`)),
        title,
      ).toHaveLength(1);
    }
    const dayTwoNotice = notes.find((n) => n.startsWith('### Day two has started')) ?? '';
    expect(dayTwoNotice).toContain('Still open from earlier phases');
    expect(dayTwoNotice).toContain('`merge-patches`');

    // Every version's fix was merged on Day two: their packages were built on Day three, before the main line.
    const builds = w.gitlab.pipelines.filter((p) => p.variables.SECREL_ACTION === 'build-packages');
    expect(builds.map((p) => p.variables.SECREL_VERSION).sort()).toEqual([...REHEARSAL_VERSIONS].sort());
    expect(buildsBeforeMain).toBe(REHEARSAL_VERSIONS.length);
    expect(mainMergedAt).toBeDefined();

    // Day one's escalation names Day one's cutoff, never a later phase's.
    const dayOneCutoff = phaseCutoff(state, 'day-one');
    const dayTwoCutoff = phaseCutoff(state, 'day-two');
    if (!dayOneCutoff || !dayTwoCutoff) throw new Error('no schedule');
    const late = notes.filter((n) => n.startsWith('### Late: Day one missed'));
    expect(late.length).toBeGreaterThan(0);
    for (const note of late) {
      expect(note).toContain(`of ${utc(dayOneCutoff)}`);
      expect(note.split('\n')[0]).not.toContain(utc(dayTwoCutoff));
    }
    expect(phaseStart(state, 'day-three')).toBeDefined();
  }, 260_000);
});
