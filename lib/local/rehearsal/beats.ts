import type { DateTime } from 'luxon';
import { DEFAULT_PLAYBOOK } from '../../core/default-playbook.js';
import { computeSchedule, parseDayOne } from '../../core/schedule.js';
import { expandTasks, type TaskInstance } from '../../core/tasks.js';
import type { PhaseId } from '../../core/types/playbook.js';
import type { ReleaseState } from '../../core/types/release.js';
import { issueHook } from '../fakes/gitlab/hook-payloads.js';
import { pipelineHook } from '../fakes/gitlab/pipeline-payloads.js';
import {
  REHEARSAL_PEOPLE,
  REHEARSAL_PROJECT,
  REHEARSAL_VERSIONS,
  type RehearsalWorld,
  rehearsalDayOne,
} from './world.js';

/**
 * The beats of a release: what each person does at each moment, played on the rehearsal's fake
 * GitLab. `secrel demo` (play.ts) and the e2e tests' storyline play the same beats; their
 * options say where a story departs from the plain release (a backport never merged, a late
 * main-line merge, a task done late).
 */

const PHASE_ORDER: readonly PhaseId[] = DEFAULT_PLAYBOOK.phases.map((p) => p.id);

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

/** When a phase starts for this release (after slips), once Day one is set. */
export function phaseStart(state: ReleaseState, phase: PhaseId): DateTime | undefined {
  if (state.dayOne === undefined) return undefined;
  const schedule = computeSchedule(DEFAULT_PLAYBOOK, parseDayOne(state.dayOne), state.slipHours);
  return schedule.phases.find((w) => w.phase === phase)?.start ?? undefined;
}

/** The stable branch a version's backport targets (`17-5-stable`). */
export function stableBranch(version: string): string {
  return `${version.replace('.', '-')}-stable`;
}

/** The manual tasks of a phase (of its disclosure stage when `stage` is given), in playbook order. */
export function manualTasks(
  instances: readonly TaskInstance[],
  phase: PhaseId,
  stage?: 'disclose',
): TaskInstance[] {
  return instances.filter(
    (i) => i.task.phase === phase && i.task.completion.kind === 'manual' && i.task.stage === stage,
  );
}

/** The vulnerability a release is about: its confidential issue and the id its release gets. */
export interface Vulnerability {
  readonly iid: number;
  readonly releaseId: string;
}

/** A reporter opens a confidential issue in the product project; nothing starts yet. */
export function reportVulnerability(
  world: RehearsalWorld,
  title: string,
  description: string,
): Vulnerability {
  const issue = world.gitlab.openIssue({ title, description, confidential: true });
  return { iid: issue.iid, releaseId: `${REHEARSAL_PROJECT.id}-${issue.iid}` };
}

/** The security lead labels the vulnerability's issue with the release label: the release starts. */
export async function labelVulnerability(world: RehearsalWorld, vulnerability: Vulnerability): Promise<void> {
  const sec = REHEARSAL_PEOPLE['security lead'];
  await world.gitlab.labelIssue(REHEARSAL_PROJECT.id, vulnerability.iid, world.config.releaseLabel, sec);
}

/** What the release's people do on the fake GitLab for one vulnerability. */
export interface ReleasePeople {
  /** Comments on the release issue as `actor`; throws before the release issue exists. */
  comment(state: ReleaseState, body: string, actor: string): Promise<unknown>;
  /** A developer opens the fix MR for `version` into `target`; its pipeline passes. */
  openMr(version: string, target: string): Promise<void>;
  /** A release manager merges the MR opened for `version` (nothing when none was opened). */
  merge(version: string): Promise<void>;
  /** The task's first owner (the security lead when it has none) comments `/secrel done`. */
  markDone(state: ReleaseState, instance: TaskInstance): Promise<void>;
  /** Day three's people: staging and production deploy, infrastructure closes the mitigation issue. */
  deployAndMitigate(state: ReleaseState): Promise<void>;
}

/**
 * The rehearsal's people for the vulnerability issue `vulnerabilityIid`, acting on the world's
 * fake GitLab; `say` gets one progress line per act (no confidential text).
 */
export function releasePeople(
  world: RehearsalWorld,
  vulnerabilityIid: number,
  say: (line: string) => void = () => {},
): ReleasePeople {
  const fake = world.gitlab;
  const sec = REHEARSAL_PEOPLE['security lead'];
  const mrs = new Map<string, number>();
  const comment = (state: ReleaseState, body: string, actor: string) => {
    if (!state.releaseIssue) throw new Error('the release issue does not exist yet');
    return fake.comment(state.releaseIssue.projectId, state.releaseIssue.iid, body, actor);
  };
  return {
    comment,
    async openMr(version, target) {
      const source = `security-fix-${version.replace('.', '-')}`;
      const { mergeRequest } = await fake.openMergeRequest({
        sourceBranch: source,
        targetBranch: target,
        title: `Security fix for ${version}`,
        description: `Fixes #${vulnerabilityIid}`,
        author: REHEARSAL_PEOPLE['dev team'],
      });
      mrs.set(version, mergeRequest.iid);
      // CI runs on the MR's branch and passes, as it would after a push.
      await fake.deliver(
        pipelineHook({
          project: REHEARSAL_PROJECT,
          pipelineId: 90_000 + mergeRequest.iid,
          ref: source,
          status: 'success',
          instanceUrl: fake.url,
        }),
      );
      say(`  dev opened !${mergeRequest.iid} for ${version} (target ${target}); its pipeline passed`);
    },
    async merge(version) {
      const iid = mrs.get(version);
      if (iid === undefined) return;
      await fake.mergeMergeRequest(REHEARSAL_PROJECT.id, iid, REHEARSAL_PEOPLE['release managers']);
      say(`  release manager merged !${iid} for ${version}`);
    },
    async markDone(state, instance) {
      const owner = instance.task.owners[0];
      const actor = owner ? REHEARSAL_PEOPLE[owner] : sec;
      await comment(state, `/secrel done ${instance.key}`, actor);
      say(`  @${actor}: /secrel done ${instance.key}`);
    },
    async deployAndMitigate(state) {
      await fake.deploy('staging', 'success', REHEARSAL_PROJECT.id);
      await fake.deploy('production', 'success', REHEARSAL_PROJECT.id);
      say('  deployments to staging and production succeeded');
      const ref = state.mitigationIssue;
      const mitigation = ref && fake.issues.find((i) => i.projectId === ref.projectId && i.iid === ref.iid);
      if (!mitigation) return;
      mitigation.state = 'closed';
      await fake.deliver(
        issueHook({
          project: REHEARSAL_PROJECT,
          issue: { ...mitigation, labels: [...mitigation.labels], state: 'closed' },
          action: 'close',
          actor: { username: REHEARSAL_PEOPLE.infrastructure },
          instanceUrl: fake.url,
        }),
      );
      say(`  @${REHEARSAL_PEOPLE.infrastructure} closed the mitigation issue #${mitigation.iid}`);
    },
  };
}

/** One thing a person does in the release, once, when `when` holds. */
export interface Beat {
  readonly name: string;
  /** `now` is the release clock's time when the beat is looked at. */
  readonly when: (state: ReleaseState, now: DateTime) => boolean;
  readonly run: (state: ReleaseState) => Promise<void>;
}

/** Where a story departs from the plain release; the plain release when empty. */
export interface BeatOptions {
  /** One progress line per act (no confidential text). */
  readonly say?: (line: string) => void;
  /** The phase whose start the backport MRs are opened at (default Day one, so their pipelines pass by its cutoff). */
  readonly backportsOpenedIn?: 'day-one' | 'day-two';
  /** This version's backport MR is opened and never merged. */
  readonly unmerged?: string;
  /** The security lead waives the unmerged backport's cherry-pick once Day two is an hour past its cutoff. */
  readonly waiveUnmerged?: boolean;
  /** This task is done an hour after Day two's cutoff, so the escalation at the cutoff shows first. */
  readonly lateTask?: string;
  /** The main-line MR is merged only once this phase started and `mainDelayHours` more passed (late Day one). */
  readonly mainMergedIn?: PhaseId;
  readonly mainDelayHours?: number;
}

/**
 * The beats of the release started from `vulnerabilityIid`, in the order they are looked at:
 * the security lead confirms versions and Day one, developers open and merge the fix and its
 * backports, owners tick their manual tasks, deployments succeed and the mitigation issue closes.
 */
export function releaseBeats(
  world: RehearsalWorld,
  vulnerabilityIid: number,
  options: BeatOptions = {},
): Beat[] {
  const say = options.say ?? (() => {});
  const sec = REHEARSAL_PEOPLE['security lead'];
  const instances = expandTasks(DEFAULT_PLAYBOOK, [...REHEARSAL_VERSIONS]);
  const { unmerged, lateTask, mainMergedIn } = options;
  const backportsOpenedIn = options.backportsOpenedIn ?? 'day-one';
  const { comment, openMr, merge, markDone, deployAndMitigate } = releasePeople(world, vulnerabilityIid, say);
  // The late task is left to its own beat, an hour past its cutoff.
  const doManual = (phase: PhaseId, stage?: 'disclose') => async (state: ReleaseState) => {
    for (const instance of manualTasks(instances, phase, stage)) {
      if (instance.task.id !== lateTask) await markDone(state, instance);
    }
  };
  const openBackports = async () => {
    for (const version of REHEARSAL_VERSIONS) await openMr(version, stableBranch(version));
  };

  const beats: Beat[] = [
    {
      name: 'confirm schedule',
      when: (s) => s.releaseIssue !== undefined,
      run: async (s) => {
        // At least three release hours of First steps, whatever the time of day it runs.
        const dayOne = rehearsalDayOne(world.runtime.clock.now());
        await comment(s, `/secrel versions ${REHEARSAL_VERSIONS.join(',')}`, sec);
        await comment(s, `/secrel start ${dayOne}`, sec);
        say(`  @${sec}: /secrel versions ${REHEARSAL_VERSIONS.join(',')} and /secrel start ${dayOne}`);
        await openMr('main', REHEARSAL_PROJECT.defaultBranch);
      },
    },
    {
      name: 'day one',
      when: (s) => reachedPhase(s, 'day-one'),
      run: async (s) => {
        if (mainMergedIn === undefined) await merge('main');
        // Backports are opened on Day one, so their pipelines are green by its cutoff ("Fix build
        // failures"); opened on Day two they would turn that Day one task late on their own.
        if (backportsOpenedIn === 'day-one') await openBackports();
        await doManual('day-one')(s);
      },
    },
    {
      name: 'late main-line merge',
      when: (s, now) => {
        if (mainMergedIn === undefined || !reachedPhase(s, mainMergedIn)) return false;
        const start = phaseStart(s, mainMergedIn);
        return start !== undefined && now >= start.plus({ hours: options.mainDelayHours ?? 0 });
      },
      run: () => merge('main'),
    },
    {
      name: 'day two',
      when: (s) => reachedPhase(s, 'day-two'),
      run: async (s) => {
        if (backportsOpenedIn === 'day-two') await openBackports();
        for (const version of REHEARSAL_VERSIONS) if (version !== unmerged) await merge(version);
        if (unmerged) say(`  (the backport for ${unmerged} is left unmerged)`);
        await doManual('day-two')(s);
      },
    },
    {
      name: 'late task',
      // Done an hour after its cutoff, so the escalation at the cutoff shows first.
      when: (s, now) => {
        if (lateTask === undefined && !(unmerged && options.waiveUnmerged)) return false;
        const cutoff = phaseCutoff(s, 'day-two');
        return cutoff !== undefined && now > cutoff.plus({ hours: 1 });
      },
      run: async (s) => {
        const late = instances.find((i) => i.task.id === lateTask);
        if (late) await markDone(s, late);
        if (unmerged && options.waiveUnmerged) {
          await comment(s, `/secrel waive cherry-pick@${unmerged} backport still in review`, sec);
          say(
            `  @${sec}: waived cherry-pick@${unmerged} so the days go on; publication still needs it merged`,
          );
        }
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
  return beats;
}

/**
 * Runs, in order, each beat not yet in `done` whose moment has come, and marks it done.
 * `now` is read for each beat, so a beat sees the time after the ones before it ran.
 */
export async function playDueBeats(
  beats: readonly Beat[],
  done: Set<string>,
  state: ReleaseState,
  now: () => DateTime,
): Promise<void> {
  for (const beat of beats) {
    if (done.has(beat.name) || !beat.when(state, now())) continue;
    done.add(beat.name);
    await beat.run(state);
  }
}
