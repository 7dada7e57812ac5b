import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { GitLabClient } from '../../adapters/gitlab/client.js';
import { HackerOneClient } from '../../adapters/hackerone/client.js';
import { parseConfig, type SecrelConfig } from '../../core/config.js';
import type { Role } from '../../core/types/playbook.js';
import type { Logger, Notifier } from '../../ports.js';
import { silentLogger } from '../../services/logger.js';
import { type FakeHackerOne, startFakeHackerOne } from '../fakes/fake-hackerone.js';
import { type FakeVersionServer, startFakeVersionServer } from '../fakes/fake-version-server.js';
import { type FakeGitLab, startFakeGitLab } from '../fakes/gitlab/fake-gitlab.js';
import type { PipelinePolicy } from '../fakes/gitlab/pipeline-scheduler.js';
import { type LocalRuntime, startLocalRuntime } from '../runtime.js';
import { readClockPosition } from '../runtime-files.js';

/**
 * The rehearsal's world (`secrel demo` and the e2e tests): a fake GitLab that answers the API and
 * sends webhooks back, a fake version server and HackerOne, and local mode pointed at them, with
 * the config and the people who play each role. Everything it invents is made up.
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
  /**
   * Stops local mode and starts it again on the same data folder. After `runtime.crash()` the
   * release clock goes on from the position on disk, as after a kill -9; otherwise from where it stopped.
   */
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
      // The release clock goes on from its last position on disk, as local mode's own restart does:
      // after a crash that is the last periodic write, at most half a minute of release time back.
      runtime = await start(readClockPosition(dataDir) ?? runtime.clock.now());
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
