import { setTimeout as sleep } from 'node:timers/promises';
import { DateTime } from 'luxon';
import { DEFAULT_PLAYBOOK } from '../../core/default-playbook.js';
import { toIsoMinutes } from '../../core/schedule.js';
import type { TimelineEntry } from '../../core/types/release.js';
import { labelVulnerability, phaseCutoff, playDueBeats, releaseBeats, reportVulnerability } from './beats.js';
import { type RehearsalResult, reportRelease } from './rehearsal-report.js';
import { REHEARSAL_PEOPLE, REHEARSAL_REPORT_ID, REHEARSAL_VERSIONS, type RehearsalWorld } from './world.js';

/**
 * The rehearsal (`secrel demo`): a complete critical release with three affected versions in
 * compressed time. The release's people play their beats (beats.ts), one task is done late so the
 * escalation shows, and every change of phase, timeline entry and action performed is told as a
 * progress line. Nothing is printed but ids and kinds.
 */

/** The task the rehearsal does late, so the escalation at its cutoff shows. */
export const LATE_TASK = 'pre-announcement-email';

/** Options for {@link playRelease}. */
export interface PlayOptions {
  /** Leave the 17.3 backport unmerged: the publish gate must hold. */
  readonly failBackport?: boolean;
  /** One progress line (no confidential text). */
  readonly progress?: (line: string) => void;
  /** Gives up after this much real time, in ms (default 10 minutes). */
  readonly timeoutMs?: number;
  /** Called once the release exists, with its id. */
  readonly onRelease?: (releaseId: string) => void;
}

/** Plays the release from the reporter's issue to Afterwards (or to the held publication). */
export async function playRelease(
  world: RehearsalWorld,
  options: PlayOptions = {},
): Promise<RehearsalResult> {
  const say = options.progress ?? (() => {});
  const fake = world.gitlab;
  const vulnerability = reportVulnerability(
    world,
    'Rehearsal: invented vulnerability',
    'Invented for the rehearsal.',
  );
  const { releaseId } = vulnerability;
  // The vulnerability came in through HackerOne: the security lead links the report in config.
  world.linkHackerOneReport(releaseId, REHEARSAL_REPORT_ID);
  const sec = REHEARSAL_PEOPLE['security lead'];
  const unmerged = options.failBackport ? REHEARSAL_VERSIONS[REHEARSAL_VERSIONS.length - 1] : undefined;
  const beats = releaseBeats(world, vulnerability.iid, {
    say,
    lateTask: LATE_TASK,
    unmerged,
    waiveUnmerged: true,
  });

  const store = () => world.runtime.deps.store;
  await labelVulnerability(world, vulnerability);
  say(
    `@${sec} labelled confidential issue #${vulnerability.iid} "${world.config.releaseLabel}": release ${releaseId} starts`,
  );
  options.onRelease?.(releaseId);

  const done = new Set<string>();
  let seen = 0;
  const performed = new Set<string>();
  let timelineSeen: readonly TimelineEntry[] = [];
  let lastPhase: string | undefined;
  const deadline = Date.now() + (options.timeoutMs ?? 600_000);
  let outcome: RehearsalResult['outcome'] = 'stuck';
  for (;;) {
    // While local mode restarts its store is briefly gone; the people just look again later.
    const state = await store()
      .get(releaseId)
      .catch(() => undefined);
    const now = world.runtime.clock.now();
    if (state) {
      if (state.phase !== lastPhase) {
        lastPhase = state.phase;
        const title = DEFAULT_PLAYBOOK.phases.find((p) => p.id === state.phase)?.title ?? state.phase;
        const cutoff = phaseCutoff(state, state.phase);
        say(`== ${title}${cutoff ? ` (cutoff ${toIsoMinutes(cutoff)})` : ''}`);
      }
      const timeline = await store()
        .timeline(releaseId)
        .catch(() => timelineSeen);
      timelineSeen = timeline;
      for (const entry of timeline.slice(seen)) say(progressLine(entry));
      seen = timeline.length;
      for (const record of await store()
        .listActions(releaseId)
        .catch(() => [])) {
        const line = `${record.action} ${record.subject}`;
        if (record.status !== 'succeeded' || performed.has(line)) continue;
        performed.add(line);
        say(
          record.action === 'escalate'
            ? `  ESCALATION (${record.subject}): owners, security lead and release managers told what is late`
            : `  secrel performed ${line}`,
        );
      }
      // One clock reading per look: every beat of a look sees the same moment.
      await playDueBeats(beats, done, state, () => now);
      if (state.status === 'afterwards' || state.status === 'completed') {
        const execution = world.runtime.workflow.describe(releaseId);
        if (execution?.status !== 'running') {
          outcome = 'afterwards';
          break;
        }
      }
      const publishCutoff = phaseCutoff(state, 'day-four-end');
      if (unmerged && publishCutoff && now > publishCutoff.plus({ hours: 1 })) {
        outcome = 'held';
        break;
      }
    }
    if (Date.now() > deadline) break;
    await sleep(25);
  }
  await fake.settled();
  return reportRelease(world, releaseId, outcome);
}

function progressLine(entry: TimelineEntry): string {
  return `${toIsoMinutes(DateTime.fromISO(entry.at, { zone: 'utc' }))}  ${entry.kind}: ${entry.summary}`;
}
