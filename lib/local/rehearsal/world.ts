import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DateTime } from 'luxon';
import { GitLabClient } from '../../adapters/gitlab/client.js';
import { HackerOneClient } from '../../adapters/hackerone/client.js';
import { parseConfig, type SecrelConfig } from '../../core/config.js';
import { DEFAULT_PLAYBOOK } from '../../core/playbook.js';
import { computeSchedule, parseDayOne, toIsoMinutes } from '../../core/schedule.js';
import { expandTasks, type TaskInstance } from '../../core/tasks.js';
import type { PhaseId, Role } from '../../core/types/playbook.js';
import type { ActionRecord, ReleaseState, TimelineEntry } from '../../core/types/release.js';
import type { Notifier } from '../../ports.js';
import { type Logger, silentLogger } from '../../services/logger.js';
import { buildReleaseView } from '../dashboard/release-view.js';
import { type FakeGitLab, type PipelinePolicy, startFakeGitLab } from '../fakes/fake-gitlab.js';
import { type FakeHackerOne, startFakeHackerOne } from '../fakes/fake-hackerone.js';
import { type FakeVersionServer, startFakeVersionServer } from '../fakes/fake-version-server.js';
import { issueHook, pipelineHook } from '../fakes/gitlab-hooks.js';
import { type LocalRuntime, startLocalRuntime } from '../runtime.js';

/**
 * The rehearsal's storyline (`secrel demo`): a complete critical release with three affected
 * versions in compressed time, against a fake GitLab that answers the API and sends webhooks back.
 * The people of the release are played here: developers open and merge MRs, pipelines pass,
 * deployments succeed, owners tick manual tasks with `/secrel done`, and one task is late so the
 * escalation shows. Everything it invents is made up; nothing is printed but ids and kinds.
 */

/** The affected versions rehearsed, newest first. */
export const REHEARSAL_VERSIONS = ['17.5', '17.4', '17.3'] as const;

/** The release clock speed that plays the four days in about a minute. */
export const DEFAULT_REHEARSAL_SPEED = 5_760;

/** The task the rehearsal does late, so the escalation at its cutoff shows. */
export const LATE_TASK = 'pre-announcement-email';

/** Who plays each role (GitLab usernames in the rehearsal's config). */
export const REHEARSAL_PEOPLE: Readonly<Record<Role, string>> = {
  'security lead': 'sec-lead',
  'release managers': 'release-manager',
  'dev team': 'dev-one',
  'packaging team': 'packager',
  infrastructure: 'infra-oncall',
  githost: 'githost-oncall',
  marketing: 'marketing-lead',
  'customer relations': 'customer-relations',
};

/** The product project the rehearsal's releases happen in. */
export const REHEARSAL_PROJECT = { id: 1, path: 'security/product', defaultBranch: 'main' } as const;

/** The public project whose issue collects vulnerability acknowledgements (the seed's "acknowledgements"). */
export const ACKNOWLEDGEMENTS_PROJECT = { id: 2, path: 'security/www', defaultBranch: 'main' } as const;

/** The reporter's HackerOne report the rehearsal links to its release. */
export const REHEARSAL_REPORT_ID = '2900001';

/**
 * Release time the schedule needs before Day one: when less is left of today, Day one is the day
 * after tomorrow, so First steps never start past their 00:00 cutoff however late the rehearsal runs.
 */
const FIRST_STEPS_MIN_HOURS = 3;

/** Day one for a schedule set at `now` (release time): the next day with at least three hours before it. */
export function rehearsalDayOne(now: DateTime): string {
  return now.toUTC().plus({ hours: FIRST_STEPS_MIN_HOURS }).plus({ days: 1 }).toISODate() ?? '';
}

/** Options for {@link startRehearsalWorld}. */
export interface RehearsalWorldOptions {
  readonly speed?: number;
  /** Data folder; a fresh temporary one (removed at the end) when absent. */
  readonly dataDir?: string;
  /** Use this DynamoDB endpoint instead of starting DynamoDB Local. */
  readonly dynamoEndpoint?: string;
  readonly tableName?: string;
  /** Keep a temporary data folder after close (the demo points at files in it). */
  readonly keepDataDir?: boolean;
  /** Release time at start; real now when absent. */
  readonly clockStart?: DateTime;
  /** Notices outside GitLab (a fake Slack in tests); none when absent. */
  readonly notifier?: Notifier;
  /** Where local mode logs; silent when absent. */
  readonly logger?: Logger;
  /** How the fake's pipelines end; each succeeds shortly after it starts when absent. */
  readonly pipelines?: PipelinePolicy;
}

/** The rehearsal's world: fake GitLab and version server, and local mode pointed at them. */
export interface RehearsalWorld {
  readonly gitlab: FakeGitLab;
  readonly versionServer: FakeVersionServer;
  /** Receives the thanks on, and the disclosure approval of, the linked report. */
  readonly hackerone: FakeHackerOne;
  /** The acknowledgements issue "Update vulnerability acknowledgements" comments on. */
  readonly acknowledgementsIssue: { readonly projectId: number; readonly iid: number };
  readonly config: SecrelConfig;
  readonly dataDir: string;
  /** Local mode as it runs now (a restart replaces it). */
  readonly runtime: LocalRuntime;
  /** Stops local mode and starts it again on the same data folder (a crash and restart). */
  restart(): Promise<LocalRuntime>;
  /** Links a HackerOne report to a release in config, as the security lead does once the issue exists. */
  linkHackerOneReport(releaseId: string, reportId: string): void;
  /** Stops everything; removes the data folder when the world created it. */
  close(): Promise<void>;
}

/** Where the rehearsal's HackerOne and acknowledgements issue are; without them those tasks are skipped. */
export interface RehearsalDisclosureTargets {
  readonly hackerOneUrl: string;
  readonly acknowledgementsIssueIid: number;
}

/**
 * The rehearsal's config: one project, every role played, pipelines and version server on the
 * fakes, and (when given) HackerOne and the acknowledgements issue, so no task is skipped.
 */
export function rehearsalConfig(
  gitlabUrl: string,
  versionServerUrl: string,
  disclosure?: RehearsalDisclosureTargets,
): SecrelConfig {
  const target = (ref: string, variables: Record<string, string> = {}) => ({
    project: REHEARSAL_PROJECT.id,
    ref,
    variables,
  });
  return parseConfig({
    gitlab: { url: gitlabUrl },
    projects: [{ ...REHEARSAL_PROJECT, securityBranch: 'security-main' }],
    roles: Object.fromEntries(Object.entries(REHEARSAL_PEOPLE).map(([role, user]) => [role, [user]])),
    pipelines: {
      'build-test-packages': target('main', { TARGET: 'staging' }),
      'build-packages': target('{version}-stable', { REPOSITORY: 'private' }),
      'publish-packages': target('{version}-stable', { REPOSITORY: 'public' }),
      'publish-docker': target('{version}-stable', { DOCKER: 'true' }),
      'publish-code': target('main', { TASK: 'publish-code' }),
      'update-githost': target('main'),
    },
    versionServer: { url: versionServerUrl },
    ...(disclosure
      ? {
          hackerone: { url: disclosure.hackerOneUrl, reports: {} },
          acknowledgements: {
            project: ACKNOWLEDGEMENTS_PROJECT.path,
            issueIid: disclosure.acknowledgementsIssueIid,
          },
        }
      : {}),
  });
}

/** Starts the fakes and local mode, wired to each other, on free loopback ports. */
export async function startRehearsalWorld(options: RehearsalWorldOptions = {}): Promise<RehearsalWorld> {
  const ownDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'secrel-demo-')));
  const secret = randomBytes(24).toString('base64url');
  const gitlab = await startFakeGitLab({
    autoCompletePipelines: options.pipelines ?? 'success',
    pipelineDelayMs: 20,
    projects: [REHEARSAL_PROJECT, ACKNOWLEDGEMENTS_PROJECT],
  });
  const versionServer = await startFakeVersionServer();
  const hackerone = await startFakeHackerOne();
  const acknowledgements = gitlab.openIssue({
    project: ACKNOWLEDGEMENTS_PROJECT.id,
    title: 'Vulnerability acknowledgements',
    confidential: false,
  });
  const config = rehearsalConfig(gitlab.url, versionServer.url, {
    hackerOneUrl: hackerone.url,
    acknowledgementsIssueIid: acknowledgements.iid,
  });
  // The release clock starts at real now: secrel orders pipelines and deployments by GitLab id, not
  // by GitLab's wall-clock times, so a release clock running ahead of GitLab's is fine.
  const clockStart = options.clockStart ?? DateTime.utc();
  const start = (at: DateTime) =>
    startLocalRuntime({
      config,
      dataDir,
      webhookSecrets: [secret],
      gitlab: new GitLabClient({ host: gitlab.url, token: gitlab.token }),
      versionServerToken: versionServer.token,
      hackerone: new HackerOneClient({
        baseUrl: hackerone.url,
        apiIdentifier: hackerone.apiIdentifier,
        token: hackerone.token,
      }),
      speed: options.speed ?? DEFAULT_REHEARSAL_SPEED,
      clockStart: at,
      ...(options.dynamoEndpoint ? { dynamoEndpoint: options.dynamoEndpoint } : {}),
      ...(options.tableName ? { tableName: options.tableName } : {}),
      logger: options.logger ?? silentLogger,
      ...(options.notifier ? { notifier: options.notifier } : {}),
    });
  let runtime = await start(clockStart);
  gitlab.setWebhook(runtime.webhookUrl, secret);
  return {
    gitlab,
    versionServer,
    hackerone,
    acknowledgementsIssue: { projectId: ACKNOWLEDGEMENTS_PROJECT.id, iid: acknowledgements.iid },
    config,
    dataDir,
    get runtime() {
      return runtime;
    },
    async restart() {
      await runtime.stop();
      // The release clock goes on from where it stopped, as a real restart keeps real time.
      runtime = await start(runtime.clock.now());
      gitlab.setWebhook(runtime.webhookUrl, secret);
      return runtime;
    },
    linkHackerOneReport(releaseId, reportId) {
      // The runtime reads this same config object, so the link holds from the next action on.
      const reports = config.hackerone?.reports;
      if (!reports) throw new Error('the rehearsal has no HackerOne configured');
      reports[releaseId] = [...(reports[releaseId] ?? []), reportId];
    },
    async close() {
      await runtime.stop();
      await gitlab.close();
      await versionServer.close();
      await hackerone.close();
      if (ownDir && !options.keepDataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** What the rehearsal ended with. */
export interface RehearsalResult {
  /** `afterwards`: the release reached Afterwards; `held`: the publish gate held (nothing published). */
  readonly outcome: 'afterwards' | 'held' | 'stuck';
  readonly releaseId: string;
  readonly tasks: {
    readonly onTime: number;
    readonly late: readonly string[];
    readonly waived: number;
    readonly open: number;
  };
  /** Automated actions recorded as succeeded, as `action subject`. */
  readonly actions: readonly string[];
  /** Pipelines and version entries the fakes received for publication. */
  readonly published: { readonly pipelines: number; readonly versionEntries: number };
  /** The lessons-learned issue text, written to a file in the data folder. */
  readonly lessonsLearnedFile?: string;
}

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

/** One thing a person does in the storyline, once, when `when` holds. */
interface Beat {
  readonly name: string;
  readonly when: (state: ReleaseState, now: DateTime) => boolean;
  readonly run: (state: ReleaseState) => Promise<void>;
}

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

/** Plays the release from the reporter's issue to Afterwards (or to the held publication). */
export async function playRelease(
  world: RehearsalWorld,
  options: PlayOptions = {},
): Promise<RehearsalResult> {
  const say = options.progress ?? (() => {});
  const fake = world.gitlab;
  const vulnerability = fake.openIssue({
    title: 'Rehearsal: invented vulnerability',
    description: 'Invented for the rehearsal.',
    confidential: true,
  });
  const releaseId = `${REHEARSAL_PROJECT.id}-${vulnerability.iid}`;
  // The vulnerability came in through HackerOne: the security lead links the report in config.
  world.linkHackerOneReport(releaseId, REHEARSAL_REPORT_ID);
  const sec = REHEARSAL_PEOPLE['security lead'];
  const instances = expandTasks(DEFAULT_PLAYBOOK, [...REHEARSAL_VERSIONS]);
  const unmerged = options.failBackport ? REHEARSAL_VERSIONS[REHEARSAL_VERSIONS.length - 1] : undefined;
  const {
    comment: onReleaseIssue,
    openMr,
    merge,
    markDone,
    deployAndMitigate,
  } = releasePeople(world, vulnerability.iid, say);
  // The late task is left to its own beat, an hour past its cutoff.
  const doManual = (phase: PhaseId, stage?: 'disclose') => async (state: ReleaseState) => {
    for (const instance of manualTasks(instances, phase, stage)) {
      if (instance.task.id !== LATE_TASK) await markDone(state, instance);
    }
  };

  const beats: Beat[] = [
    {
      name: 'confirm schedule',
      when: (s) => s.releaseIssue !== undefined,
      run: async (s) => {
        const dayOne = rehearsalDayOne(world.runtime.clock.now());
        await onReleaseIssue(s, `/secrel versions ${REHEARSAL_VERSIONS.join(',')}`, sec);
        await onReleaseIssue(s, `/secrel start ${dayOne}`, sec);
        say(`  @${sec}: /secrel versions ${REHEARSAL_VERSIONS.join(',')} and /secrel start ${dayOne}`);
        await openMr('main', REHEARSAL_PROJECT.defaultBranch);
      },
    },
    {
      name: 'day one',
      when: (s) => reachedPhase(s, 'day-one'),
      run: async (s) => {
        await merge('main');
        // Backports are opened on Day one, so their pipelines are green by its cutoff ("Fix build
        // failures"); opened on Day two they would turn that Day one task late on their own.
        for (const version of REHEARSAL_VERSIONS) await openMr(version, stableBranch(version));
        await doManual('day-one')(s);
      },
    },
    {
      name: 'day two',
      when: (s) => reachedPhase(s, 'day-two'),
      run: async (s) => {
        for (const version of REHEARSAL_VERSIONS) if (version !== unmerged) await merge(version);
        if (unmerged) say(`  (the backport for ${unmerged} is left unmerged)`);
        await doManual('day-two')(s);
      },
    },
    {
      name: 'late task',
      // Done an hour after its cutoff, so the escalation at the cutoff shows first.
      when: (s, now) => {
        const cutoff = phaseCutoff(s, 'day-two');
        return cutoff !== undefined && now > cutoff.plus({ hours: 1 });
      },
      run: async (s) => {
        const late = instances.find((i) => i.task.id === LATE_TASK);
        if (late) await markDone(s, late);
        if (unmerged) {
          await onReleaseIssue(s, `/secrel waive cherry-pick@${unmerged} backport still in review`, sec);
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

  const store = () => world.runtime.deps.store;
  await fake.labelIssue(REHEARSAL_PROJECT.id, vulnerability.iid, world.config.releaseLabel, sec);
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
      for (const beat of beats) {
        if (done.has(beat.name) || !beat.when(state, now)) continue;
        done.add(beat.name);
        await beat.run(state);
      }
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
  return summarize(world, releaseId, outcome);
}

function progressLine(entry: TimelineEntry): string {
  return `${toIsoMinutes(DateTime.fromISO(entry.at, { zone: 'utc' }))}  ${entry.kind}: ${entry.summary}`;
}

async function summarize(
  world: RehearsalWorld,
  releaseId: string,
  outcome: RehearsalResult['outcome'],
): Promise<RehearsalResult> {
  const runtime = world.runtime;
  const state = await runtime.deps.store.get(releaseId);
  const records: readonly ActionRecord[] = await runtime.deps.store.listActions(releaseId);
  const view = state
    ? buildReleaseView(state, [], { now: () => runtime.clock.now(), roles: world.config.roles })
    : undefined;
  const tasks = view?.tasks ?? [];
  const publishPipelines = world.gitlab.pipelines.filter((p) =>
    ['publish-packages', 'publish-docker', 'publish-code', 'update-githost'].includes(
      p.variables.SECREL_ACTION ?? '',
    ),
  ).length;
  const lessons = world.gitlab.issues.find((issue) => /lessons learned/i.test(issue.title));
  let lessonsLearnedFile: string | undefined;
  if (lessons) {
    lessonsLearnedFile = join(world.dataDir, 'lessons-learned.md');
    await writeFile(lessonsLearnedFile, `# ${lessons.title}\n\n${lessons.description}\n`);
  }
  return {
    outcome,
    releaseId,
    tasks: {
      onTime: tasks.filter((t) => t.status === 'done' && !t.late).length,
      late: tasks.filter((t) => t.late).map((t) => t.key),
      waived: tasks.filter((t) => t.status === 'waived').length,
      open: tasks.filter((t) => t.status === 'open').length,
    },
    actions: records.filter((r) => r.status === 'succeeded').map((r) => `${r.action} ${r.subject}`),
    published: { pipelines: publishPipelines, versionEntries: world.versionServer.versions.length },
    ...(lessonsLearnedFile ? { lessonsLearnedFile } : {}),
  };
}
