import { setTimeout as sleep } from 'node:timers/promises';
import type { DateTime } from 'luxon';
import { DEFAULT_PLAYBOOK } from '../../../lib/core/playbook.js';
import { computeSchedule, parseDayOne } from '../../../lib/core/schedule.js';
import { expandTasks, type TaskInstance } from '../../../lib/core/tasks.js';
import type { PhaseId } from '../../../lib/core/types/playbook.js';
import type { ReleaseState } from '../../../lib/core/types/release.js';
import { issueHook, pipelineHook } from '../../../lib/local/fakes/gitlab-hooks.js';
import {
  REHEARSAL_PEOPLE,
  REHEARSAL_VERSIONS,
  type RehearsalWorld,
  rehearsalDayOne,
} from '../../../lib/local/rehearsal/script.js';

/**
 * The rehearsal's people, for tests that must stop or look at a release mid-way: the same beats
 * as `playRelease` (merge, deploy, tick every manual task on time), but the test decides when
 * to stop with `until`, and a backport can be left unmerged and never waived.
 */

const PROJECT = { id: 1, path: 'security/product', defaultBranch: 'main' } as const;
const PHASE_ORDER: readonly PhaseId[] = DEFAULT_PLAYBOOK.phases.map((p) => p.id);

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
  /** Stops the story when it holds (checked after the beats of each look). */
  readonly until: (tick: StoryTick) => boolean | Promise<boolean>;
  /** Called on each look before the beats, e.g. to stop and re-drive the execution. */
  readonly onTick?: (tick: StoryTick) => Promise<void>;
  /** Gives up after this much real time (ms). */
  readonly timeoutMs: number;
}

/** Whether the release has reached a phase. */
export function reachedPhase(state: ReleaseState, phase: PhaseId): boolean {
  return PHASE_ORDER.indexOf(state.phase) >= PHASE_ORDER.indexOf(phase);
}

/** A phase's cutoff on the release's current schedule. */
export function phaseCutoff(state: ReleaseState, phase: PhaseId): DateTime | undefined {
  if (!state.dayOne) return undefined;
  return computeSchedule(DEFAULT_PLAYBOOK, parseDayOne(state.dayOne), state.slipHours).phases.find(
    (w) => w.phase === phase,
  )?.cutoff;
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
  const releaseId = `${PROJECT.id}-${vulnerability.iid}`;
  const sec = REHEARSAL_PEOPLE['security lead'];
  const instances = expandTasks(DEFAULT_PLAYBOOK, [...REHEARSAL_VERSIONS]);
  const mrs = new Map<string, number>();

  const comment = (state: ReleaseState, body: string, actor: string) => {
    if (!state.releaseIssue) throw new Error('the release issue does not exist yet');
    return fake.comment(state.releaseIssue.projectId, state.releaseIssue.iid, body, actor);
  };
  const openMr = async (version: string, target: string): Promise<void> => {
    const source = `security-fix-${version.replace('.', '-')}`;
    const { mergeRequest } = await fake.openMergeRequest({
      sourceBranch: source,
      targetBranch: target,
      title: `Security fix for ${version}`,
      description: `Fixes #${vulnerability.iid}`,
      author: REHEARSAL_PEOPLE['dev team'],
    });
    mrs.set(version, mergeRequest.iid);
    await fake.deliver(
      pipelineHook({
        project: PROJECT,
        pipelineId: 90_000 + mergeRequest.iid,
        ref: source,
        status: 'success',
        instanceUrl: fake.url,
      }),
    );
  };
  const merge = async (version: string): Promise<void> => {
    const iid = mrs.get(version);
    if (iid !== undefined)
      await fake.mergeMergeRequest(PROJECT.id, iid, REHEARSAL_PEOPLE['release managers']);
  };
  const markDone = async (state: ReleaseState, instance: TaskInstance): Promise<void> => {
    const owner = instance.task.owners[0];
    await comment(state, `/secrel done ${instance.key}`, owner ? REHEARSAL_PEOPLE[owner] : sec);
  };
  const doManual = (phase: PhaseId, stage?: 'disclose') => async (state: ReleaseState) => {
    for (const instance of instances) {
      if (instance.task.phase !== phase || instance.task.completion.kind !== 'manual') continue;
      if (instance.task.stage !== stage) continue;
      await markDone(state, instance);
    }
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
        await openMr('main', PROJECT.defaultBranch);
      },
    },
    {
      name: 'day one',
      when: (s) => reachedPhase(s, 'day-one'),
      run: async (s) => {
        await merge('main');
        await doManual('day-one')(s);
      },
    },
    {
      name: 'day two',
      when: (s) => reachedPhase(s, 'day-two'),
      run: async (s) => {
        for (const version of REHEARSAL_VERSIONS)
          await openMr(version, `${version.replace('.', '-')}-stable`);
        for (const version of REHEARSAL_VERSIONS) if (version !== options.unmerged) await merge(version);
        await doManual('day-two')(s);
      },
    },
    {
      name: 'day three',
      when: (s) => reachedPhase(s, 'day-three'),
      run: async (s) => {
        await fake.deploy('staging', 'success', PROJECT.id);
        await fake.deploy('production', 'success', PROJECT.id);
        const ref = s.mitigationIssue;
        const mitigation = ref && fake.issues.find((i) => i.projectId === ref.projectId && i.iid === ref.iid);
        if (mitigation) {
          mitigation.state = 'closed';
          await fake.deliver(
            issueHook({
              project: PROJECT,
              issue: { ...mitigation, labels: [...mitigation.labels], state: 'closed' },
              action: 'close',
              actor: { username: REHEARSAL_PEOPLE.infrastructure },
              instanceUrl: fake.url,
            }),
          );
        }
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

  await fake.labelIssue(PROJECT.id, vulnerability.iid, world.config.releaseLabel, sec);
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
