import './polyfills.js';
import { join, resolve } from 'node:path';
import type { DateTime } from 'luxon';
import {
  createDocumentClient,
  createDynamoClient,
  DynamoReleaseStore,
  ensureReleaseTable,
} from '../adapters/dynamo/index.js';
import { GitLabClient } from '../adapters/gitlab/client.js';
import { GitLabSetupClient } from '../adapters/gitlab/setup-client.js';
import { HttpVersionServer } from '../adapters/version-server/client.js';
import type { SecrelConfig } from '../core/config.js';
import type { ReleaseStatus } from '../core/types/release.js';
import type { GitLabApi, GitLabSetupApi, HackerOne, Logger, Notifier, VersionServer } from '../ports.js';
import { compose } from '../services/compose.js';
import { effectRunner } from '../services/effects.js';
import { registerGate } from '../services/gate.js';
import { createLogger } from '../services/logger.js';
import { reconcileRelease } from '../services/reconcile.js';
import { runStep } from '../services/steps/run-step.js';
import type { RuntimeDeps } from '../services/types.js';
import { ReleaseClock } from './clock.js';
import { buildReleaseView } from './dashboard/release-view.js';
import { dashboardRoute } from './dashboard/route.js';
import { type DynamoLocal, startDynamoLocal } from './dynamo-local.js';
import { LocalWorkflow } from './engine/index.js';
import { type LocalHttpServer, startHttpServer } from './http-server.js';
import { LocalEffectDispatcher } from './local-effect-dispatcher.js';
import { ensureDataDir, readClockPosition, webhookSecretFor, writeClockPosition } from './runtime-files.js';

/**
 * The embedded default (DESIGN.md §8): one process with DynamoDB Local, the release store, the
 * real ASL on the local engine with the real action and gate services, webhook ingress, the
 * release API and the dashboard on one port. `secrel serve` and `secrel demo` both start it.
 */

/** Table name local mode uses in its own DynamoDB Local. */
export const LOCAL_TABLE_NAME = 'secrel-releases';

/** Real delays before re-driving a failed execution, one per consecutive failure (about 10 min in all). */
const REDRIVE_AFTER_MS: readonly number[] = [1_000, 2_000, 5_000, 10_000, 30_000, 60_000, 120_000, 300_000];

/** Statuses of a release that is over: nothing to resume. */
const FINISHED: readonly ReleaseStatus[] = ['completed', 'aborted'];

/** Options for {@link startLocalRuntime}. */
export interface LocalRuntimeOptions {
  readonly config: SecrelConfig;
  /** Folder that keeps DynamoDB's files, the generated webhook secret and the clock position. */
  readonly dataDir: string;
  /** Accepted webhook secrets; when empty one is generated into the data folder. */
  readonly webhookSecrets?: readonly string[];
  readonly signingKeys?: readonly string[];
  /** GitLab API token; GitLab answers 401 without one, which the client reports as permanent. */
  readonly gitlabToken?: string;
  /** Replaces the GitLab client (tests). */
  readonly gitlab?: GitLabApi;
  /**
   * GitLab reads for `/secrel start`'s setup check. By default a client with `gitlabToken`, unless
   * `gitlab` was replaced (tests then pass their own or go without the check).
   */
  readonly gitlabSetup?: GitLabSetupApi;
  readonly versionServerToken?: string;
  readonly hackerone?: HackerOne;
  readonly notifier?: Notifier;
  /** Release clock speed (`SECREL_SPEED`), 1 by default. */
  readonly speed?: number;
  /** Release time at start; by default real now, or where the clock stopped last time if that is later. */
  readonly clockStart?: DateTime;
  readonly port?: number;
  readonly host?: string;
  /** Use this DynamoDB endpoint instead of starting DynamoDB Local (tests share one). */
  readonly dynamoEndpoint?: string;
  readonly tableName?: string;
  readonly logger?: Logger;
  /** Re-drive releases in flight on start (default true). */
  readonly resume?: boolean;
}

/** A running local mode. */
export interface LocalRuntime {
  /** Base URL of the HTTP server, without a trailing slash. */
  readonly url: string;
  /** Where GitLab must send webhooks. */
  readonly webhookUrl: string;
  readonly dataDir: string;
  /** Set when the webhook secret was generated or read from the data folder: its file. */
  readonly webhookSecretFile?: string;
  readonly webhookSecretGenerated: boolean;
  readonly deps: RuntimeDeps;
  readonly workflow: LocalWorkflow;
  readonly clock: ReleaseClock;
  /** Releases whose executions were re-driven at start. */
  readonly resumed: readonly string[];
  /** Stops the HTTP server, the executions and DynamoDB Local; records the clock. Safe to call twice. */
  stop(): Promise<void>;
  /**
   * Ends local mode as `kill -9` would, for tests of a restart: queued replies and notices are lost,
   * the clock on disk stays where its last periodic write left it, and the executions end where
   * they are (the engine keeps nothing); DynamoDB keeps what was committed.
   */
  crash(): Promise<void>;
}

function releaseClockFor(options: LocalRuntimeOptions): ReleaseClock {
  const speed = options.speed ?? 1;
  if (options.clockStart) return new ReleaseClock({ speed, start: options.clockStart });
  const saved = readClockPosition(options.dataDir);
  // A compressed-time release must not jump back to real now after a restart; real time wins when later.
  const start = saved && saved.toMillis() > Date.now() ? saved : undefined;
  return new ReleaseClock(start ? { speed, start } : { speed });
}

function versionServerFor(config: SecrelConfig, token: string | undefined): VersionServer | undefined {
  if (!config.versionServer) return undefined;
  return new HttpVersionServer({ baseUrl: config.versionServer.url, token: token ?? '' });
}

/** Starts local mode and resumes every release in flight. */
export async function startLocalRuntime(options: LocalRuntimeOptions): Promise<LocalRuntime> {
  const dataDir = resolve(options.dataDir);
  ensureDataDir(dataDir);
  const logger = options.logger ?? createLogger('secrel-local');
  const secret = webhookSecretFor(dataDir, options.webhookSecrets ?? []);

  const dynamo: DynamoLocal | undefined = options.dynamoEndpoint
    ? undefined
    : await startDynamoLocal({ dataDir: ensureDataDir(join(dataDir, 'dynamodb')) });
  const cleanups: (() => Promise<void>)[] = [];
  let server: LocalHttpServer | undefined;
  if (dynamo) cleanups.push(() => dynamo.stop());
  try {
    const endpoint = options.dynamoEndpoint ?? dynamo?.endpoint ?? '';
    const tableName = options.tableName ?? LOCAL_TABLE_NAME;
    const dynamoClient = createDynamoClient({ endpoint });
    cleanups.unshift(async () => dynamoClient.destroy());
    await ensureReleaseTable(dynamoClient, tableName);
    const store = new DynamoReleaseStore({ client: createDocumentClient(dynamoClient), tableName });

    // The release clock starts once storage is up, so a slow DynamoDB start costs no release time.
    const clock = releaseClockFor({ ...options, dataDir });
    const config = options.config;
    const gitlab =
      options.gitlab ?? new GitLabClient({ host: config.gitlab.url, token: options.gitlabToken ?? '' });
    const gitlabSetup =
      options.gitlabSetup ??
      (options.gitlab
        ? undefined
        : new GitLabSetupClient({ host: config.gitlab.url, token: options.gitlabToken ?? '' }));
    // The engine needs the handlers and the handlers need the engine: the deps are filled in below.
    let deps: RuntimeDeps | undefined;
    const ready = (): RuntimeDeps => {
      if (!deps) throw new Error('local runtime is not ready');
      return deps;
    };
    const workflow = new LocalWorkflow({
      clock,
      // An execution that still fails after its retries (storage down for minutes) is re-driven.
      redriveFailedAfterMs: REDRIVE_AFTER_MS,
      // Pipeline webhooks that got a 500 while storage was down are read back, as on a restart.
      onRedriven: async (releaseId) => {
        await reconcileRelease(ready(), releaseId);
      },
      handlers: {
        actions: (request) => runStep(ready(), request),
        gate: async (request) => {
          await registerGate(ready(), request);
        },
      },
    });
    // Replies and notices run in this process, after the HTTP answer, with the composed deps.
    let effects: LocalEffectDispatcher | undefined;
    const composed = compose(
      { config, auth: { secrets: secret.secrets, signingKeys: options.signingKeys ?? [] } },
      {
        store,
        gitlab,
        workflow,
        clock,
        logger,
        ...(options.notifier ? { notifier: options.notifier } : {}),
        ...(gitlabSetup ? { gitlabSetup } : {}),
        ...(options.hackerone ? { hackerone: options.hackerone } : {}),
        ...withVersionServer(versionServerFor(config, options.versionServerToken)),
        effects: (composedDeps) => {
          effects = new LocalEffectDispatcher(effectRunner(composedDeps), logger);
          return effects;
        },
      },
    );
    deps = composed.runtime;
    const webhook = composed.webhook;
    const { playbook } = deps;
    server = await startHttpServer({
      webhook,
      host: options.host,
      port: options.port,
      routes: [dashboardRoute({ releaseLabel: options.config.releaseLabel })],
      allowedHosts: config.localAllowedHosts,
      releaseView: (state, timeline) =>
        buildReleaseView(state, timeline, {
          playbook,
          now: () => clock.now(),
          speed: clock.speed,
          roles: config.roles,
          execution: (id) => workflow.describe(id),
        }),
    });

    const resumed: string[] = [];
    if (options.resume ?? true) {
      for (const release of await store.listReleases()) {
        if (FINISHED.includes(release.status)) continue;
        await workflow.start(release.id, { releaseId: release.id }, { redrive: true });
        // Webhooks sent while local mode was down are lost: what they said is read back from GitLab.
        await reconcileRelease(deps, release.id);
        resumed.push(release.id);
      }
    }

    // The release clock survives a kill -9: its position is written at least every half minute of release time.
    const persistClock = setInterval(
      () => {
        try {
          writeClockPosition(dataDir, clock.now());
        } catch {
          // A full disk costs the resume point only; the next tick tries again.
        }
      },
      Math.min(1_000, Math.max(2, Math.floor(30_000 / clock.speed))),
    );
    persistClock.unref();

    let stopping: Promise<void> | undefined;
    const end = (orderly: boolean): Promise<void> => {
      const listening = server;
      clearInterval(persistClock);
      stopping ??= (async () => {
        if (!orderly) effects?.discard();
        await listening?.close().catch(() => undefined);
        workflow.cancelRedrives();
        for (const view of workflow.list()) {
          if (view.status === 'running') await workflow.stop(view.releaseId, 'local mode stopping');
        }
        if (orderly) {
          await effects?.idle();
          writeClockPosition(dataDir, clock.now());
        }
        // DynamoDB last: the executions above may still be writing while they stop.
        for (const cleanup of cleanups) await cleanup().catch(() => undefined);
      })();
      return stopping;
    };

    return {
      url: server.url,
      webhookUrl: `${server.url}/webhooks/gitlab`,
      dataDir,
      ...(secret.file ? { webhookSecretFile: secret.file } : {}),
      webhookSecretGenerated: secret.generated,
      deps,
      workflow,
      clock,
      resumed,
      stop: () => end(true),
      crash: () => end(false),
    };
  } catch (error) {
    await server?.close().catch(() => undefined);
    for (const cleanup of cleanups) await cleanup().catch(() => undefined);
    throw error;
  }
}

function withVersionServer(server: VersionServer | undefined): { versionServer?: VersionServer } {
  return server ? { versionServer: server } : {};
}
