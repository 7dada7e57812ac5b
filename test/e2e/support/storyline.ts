import { setTimeout as sleep } from 'node:timers/promises';
import type { DateTime } from 'luxon';
import type { PhaseId } from '../../../lib/core/types/playbook.js';
import type { ReleaseState } from '../../../lib/core/types/release.js';
import {
  labelVulnerability,
  playDueBeats,
  releaseBeats,
  reportVulnerability,
} from '../../../lib/local/rehearsal/beats.js';
import type { RehearsalWorld } from '../../../lib/local/rehearsal/world.js';

/**
 * The rehearsal's people, for tests that must stop or look at a release mid-way: the same beats
 * as `playRelease` (lib/local/rehearsal/beats.ts), but every manual task is done on time (no late
 * task, no escalation), the backports are opened on Day two, the test decides when to stop with
 * `until`, and a backport can be left unmerged and never waived.
 */

/** What `until` and `onTick` are shown on each look at the release. */
export interface StoryTick {
  readonly releaseId: string;
  readonly state: ReleaseState;
  readonly now: DateTime;
}

/** Options of {@link playStory}. */
export interface StoryOptions {
  /** This version's backport MR is opened and never merged nor waived. */
  readonly unmerged?: string;
  /** The main-line MR is merged only once this phase started and `mainDelayHours` more passed (late Day one). */
  readonly mainMergedIn?: PhaseId;
  readonly mainDelayHours?: number;
  /** Stops the story when it holds (checked after the beats of each look). */
  readonly until: (tick: StoryTick) => boolean | Promise<boolean>;
  /** Called on each look before the beats, e.g. to stop and re-drive the execution. */
  readonly onTick?: (tick: StoryTick) => Promise<void>;
  /** Gives up after this much real time (ms). */
  readonly timeoutMs: number;
}

/** Plays the release's people until `until` holds; returns the release id. Throws on timeout. */
export async function playStory(world: RehearsalWorld, options: StoryOptions): Promise<string> {
  const fake = world.gitlab;
  const vulnerability = reportVulnerability(world, 'Test: invented vulnerability', 'Invented for the test.');
  const { releaseId } = vulnerability;
  const beats = releaseBeats(world, vulnerability.iid, {
    backportsOpenedIn: 'day-two',
    unmerged: options.unmerged,
    mainMergedIn: options.mainMergedIn,
    mainDelayHours: options.mainDelayHours,
  });

  await labelVulnerability(world, vulnerability);
  const done = new Set<string>();
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const state = await world.runtime.deps.store.get(releaseId);
    if (state) {
      const tick = { releaseId, state, now: world.runtime.clock.now() };
      await options.onTick?.(tick);
      // The clock is read for each beat: onTick may have restarted local mode.
      await playDueBeats(beats, done, state, () => world.runtime.clock.now());
      if (await options.until(tick)) break;
    }
    if (Date.now() > deadline) throw new Error(`release ${releaseId} did not get there in time`);
    await sleep(25);
  }
  await fake.settled();
  return releaseId;
}
