import { DateTime } from 'luxon';
import { GitLabClient } from '../../lib/adapters/gitlab/client.js';
import { parseConfig } from '../../lib/core/config.js';
import { DEFAULT_PLAYBOOK } from '../../lib/core/default-playbook.js';
import { initialTaskStates } from '../../lib/core/tasks.js';
import type { ReleaseState } from '../../lib/core/types/release.js';
import type { FakeProject } from '../../lib/local/fakes/gitlab/state.js';
import { type FakeGitLab, startFakeGitLab } from '../../lib/local/fakes/index.js';
import type { HackerOne, VersionServer, Workflow } from '../../lib/ports.js';
import { silentLogger } from '../../lib/services/logger.js';
import type { RuntimeDeps } from '../../lib/services/types.js';
import { releaseState } from './release-builders.js';
import { makeTestStore } from './test-store.js';

/** The state machine's side of the gate protocol, as the services see it: what they sent. */
export class RecordingWorkflow implements Workflow {
  readonly successes: { token: string; output: Readonly<Record<string, unknown>> }[] = [];
  readonly failures: { token: string; error: string }[] = [];
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  async sendTaskSuccess(token: string, output: Readonly<Record<string, unknown>>): Promise<void> {
    this.successes.push({ token, output });
  }
  async sendTaskFailure(token: string, error: string): Promise<void> {
    this.failures.push({ token, error });
  }
}

/** A release world for service tests: DynamoDB Local, fake GitLab over HTTP, a settable clock. */
export interface ActionWorld {
  readonly deps: RuntimeDeps;
  readonly gitlab: FakeGitLab;
  readonly workflow: RecordingWorkflow;
  readonly versionEntries: string[];
  readonly hackerone: { comments: string[] };
  /** Sets the release clock. */
  at(iso: string): void;
  /** Stores a release (revision 1) and returns it. */
  seed(overrides?: Partial<ReleaseState>): Promise<ReleaseState>;
  close(): Promise<void>;
}

const VULNERABILITY_IID = 7;

/** What a test may change in the world: GitLab projects besides acme/product, and pipeline targets. */
export interface ActionWorldOptions {
  /** More projects the fake GitLab has (not configured in secrel unless a target names them). */
  readonly otherProjects?: readonly FakeProject[];
  /** Replaces the config's `pipelines`. */
  readonly pipelines?: Readonly<Record<string, unknown>>;
}

/** Builds a world; every test gets its own table and fake GitLab. */
export async function actionWorld(options: ActionWorldOptions = {}): Promise<ActionWorld> {
  const { store } = await makeTestStore();
  const gitlab = await startFakeGitLab({
    projects: [{ id: 42, path: 'acme/product', defaultBranch: 'main' }, ...(options.otherProjects ?? [])],
  });
  const vulnerability = gitlab.openIssue({ project: 42, title: 'secret', confidential: true });
  let now = DateTime.fromISO('2026-11-30T10:00:00Z', { zone: 'utc' });
  const versionEntries: string[] = [];
  const hackerone = { comments: [] as string[] };
  const versionServer: VersionServer = {
    async addVersion(entry) {
      versionEntries.push(entry.version);
    },
  };
  const h1: HackerOne = {
    async comment(report) {
      hackerone.comments.push(report);
    },
  };
  const config = parseConfig({
    gitlab: { url: gitlab.url },
    projects: [{ id: 42, path: 'acme/product', defaultBranch: 'main', securityBranch: 'security-main' }],
    roles: {
      'security lead': ['sec-lead'],
      'release managers': ['rm'],
      'dev team': ['dev'],
      'packaging team': ['packager'],
    },
    pipelines: options.pipelines ?? {
      'build-packages': { project: 42, ref: '{version}-stable', variables: { REPOSITORY: 'private' } },
      'publish-packages': { project: 42, ref: '{version}-stable' },
    },
    hackerone: { reports: { [`42-${VULNERABILITY_IID}`]: ['h1-100'] } },
  });
  const workflow = new RecordingWorkflow();
  const deps: RuntimeDeps = {
    config,
    playbook: DEFAULT_PLAYBOOK,
    store,
    gitlab: new GitLabClient({ host: gitlab.url, token: gitlab.token }),
    workflow,
    clock: { now: () => now },
    logger: silentLogger,
    versionServer,
    hackerone: h1,
  };
  return {
    deps,
    gitlab,
    workflow,
    versionEntries,
    hackerone,
    at(iso) {
      now = DateTime.fromISO(iso, { zone: 'utc' });
    },
    async seed(overrides = {}) {
      const versions = overrides.versions ?? ['17.5', '17.4'];
      const state = releaseState(VULNERABILITY_IID, {
        vulnerabilityIssue: { projectId: 42, iid: vulnerability.iid, url: vulnerability.webUrl },
        dayOne: '2026-12-01',
        versions,
        tasks: initialTaskStates(DEFAULT_PLAYBOOK, versions),
        createdAt: '2026-11-30T09:00:00.000Z',
        updatedAt: '2026-11-30T09:00:00.000Z',
        ...overrides,
      });
      await store.commit({ state, timeline: [] });
      return state;
    },
    close: () => gitlab.close(),
  };
}
