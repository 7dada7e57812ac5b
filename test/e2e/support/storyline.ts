import { setTimeout as sleep } from 'node:timers/promises';
import type { DateTime } from 'luxon';
import { DEFAULT_PLAYBOOK } from '../../../lib/core/playbook.js';
import { computeSchedule, parseDayOne } from '../../../lib/core/schedule.js';
import { expandTasks } from '../../../lib/core/tasks.js';
import type { PhaseId } from '../../../lib/core/types/playbook.js';
import type { ReleaseState } from '../../../lib/core/types/release.js';
import {
  manualTasks,
  REHEARSAL_PEOPLE,
  REHEARSAL_PROJECT,
  REHEARSAL_VERSIONS,
  type RehearsalWorld,
  reachedPhase,
  rehearsalDayOne,
  releasePeople,
  stableBranch,
} from '../../../lib/local/rehearsal/world.js';

export { phaseCutoff, reachedPhase } from '../../../lib/local/rehearsal/world.js';

/** When a phase starts for this release (after slips), once Day one is set. */
export function phaseStart(state: ReleaseState, phase: PhaseId): DateTime | undefined {
  if (state.dayOne === undefined) return undefined;
  const schedule = computeSchedule(DEFAULT_PLAYBOOK, parseDayOne(state.dayOne), state.slipHours);
  return schedule.phases.find((w) => w.phase === phase)?.start ?? undefined;
}

/**
 * The rehearsal's people, for tests that must stop or look at a release mid-way: the same beats
 * as `playRelease` (merge, deploy, tick every manual task on time), but the test decides when
 * to stop with `until`, and a backport can be left unmerged and never waived.
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

interface Beat {
  readonly name: string;
  readonly when: (state: ReleaseState) => boolean;
  readonly run: (state: ReleaseState) => Promise<void>;
}

/** Plays the release's people until `until` holds; returns the release id. Throws on timeout. */
export async function playStory(world: RehearsalWorld, options: StoryOptions): Promise<string> {
  const fake = world.gitlab;
  const vulnerability = fake.openIssue({
    title: 'Test: invented vulnerability',
    description: 'Invented for the test.',
    confidential: true,
  });
  const releaseId = `${REHEARSAL_PROJECT.id}-${vulnerability.iid}`;
  const sec = REHEARSAL_PEOPLE['security lead'];
  const instances = expandTasks(DEFAULT_PLAYBOOK, [...REHEARSAL_VERSIONS]);
  const { comment, openMr, merge, markDone, deployAndMitigate } = releasePeople(world, vulnerability.iid);
  // Unlike the rehearsal, every manual task is done on time: no late task, no escalation.
  const doManual = (phase: PhaseId, stage?: 'disclose') => async (state: ReleaseState) => {
    for (const instance of manualTasks(instances, phase, stage)) await markDone(state, instance);
  };

  const beats: Beat[] = [
    {
      name: 'confirm schedule',
      when: (s) => s.releaseIssue !== undefined,
      run: async (s) => {
        // At least three release hours of First steps, whatever the time of day the test runs.
        const dayOne = rehearsalDayOne(world.runtime.clock.now());
        await comment(s, `/secrel versions ${REHEARSAL_VERSIONS.join(',')}`, sec);
        await comment(s, `/secrel start ${dayOne}`, sec);
        await openMr('main', REHEARSAL_PROJECT.defaultBranch);
      },
    },
    {
      name: 'day one',
      when: (s) => reachedPhase(s, 'day-one'),
      run: async (s) => {
        if (options.mainMergedIn === undefined) await merge('main');
        await doManual('day-one')(s);
      },
    },
    {
      name: 'late main-line merge',
      when: (s) => {
        const phase = options.mainMergedIn;
        if (phase === undefined || !reachedPhase(s, phase)) return false;
        const start = phaseStart(s, phase);
        const now = world.runtime.clock.now();
        return start !== undefined && now >= start.plus({ hours: options.mainDelayHours ?? 0 });
      },
      run: async () => {
        await merge('main');
      },
    },
    {
      name: 'day two',
      when: (s) => reachedPhase(s, 'day-two'),
      run: async (s) => {
        for (const version of REHEARSAL_VERSIONS) await openMr(version, stableBranch(version));
        for (const version of REHEARSAL_VERSIONS) if (version !== options.unmerged) await merge(version);
        await doManual('day-two')(s);
      },
    },
    {
      name: 'day three',
      when: (s) => reachedPhase(s, 'day-three'),
      run: async (s) => {
        await deployAndMitigate(s);
        await doManual('day-three')(s);
      },
    },
    { name: 'day four noon', when: (s) => reachedPhase(s, 'day-four-noon'), run: doManual('day-four-noon') },
    {
      name: 'disclosure tasks',
      when: (s) =>
        instances.filter((i) => i.task.stage === 'publish').every((i) => s.tasks[i.key]?.status === 'done'),
      run: doManual('day-four-end', 'disclose'),
    },
  ];

  await fake.labelIssue(REHEARSAL_PROJECT.id, vulnerability.iid, world.config.releaseLabel, sec);
  const done = new Set<string>();
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const state = await world.runtime.deps.store.get(releaseId);
    if (state) {
      const tick = { releaseId, state, now: world.runtime.clock.now() };
      await options.onTick?.(tick);
      for (const beat of beats) {
        if (done.has(beat.name) || !beat.when(state)) continue;
        done.add(beat.name);
        await beat.run(state);
      }
      if (await options.until(tick)) break;
    }
    if (Date.now() > deadline) throw new Error(`release ${releaseId} did not get there in time`);
    await sleep(25);
  }
  await fake.settled();
  return releaseId;
}
