import type { SecrelConfig } from '../core/config.js';
import { DEFAULT_PLAYBOOK, parsePlaybook } from '../core/playbook.js';
import type { Playbook } from '../core/types/playbook.js';
import type {
  Clock,
  GitLabApi,
  GitLabSetupApi,
  HackerOne,
  Logger,
  Metrics,
  Notifier,
  ReleaseStore,
  VersionServer,
  Workflow,
} from '../ports.js';

/**
 * What the actions and gate handlers receive: the same bundle on Lambda (built once per cold
 * start) and in local mode (built once per process), so the handlers never know where they run.
 */
export interface RuntimeDeps {
  readonly config: SecrelConfig;
  /** The process: the config's own playbook or the seed's. */
  readonly playbook: Playbook;
  readonly store: ReleaseStore;
  readonly gitlab: GitLabApi;
  readonly workflow: Workflow;
  /** The release clock (local mode may run it fast). */
  readonly clock: Clock;
  readonly logger: Logger;
  /** Slack or similar; absent when nothing outside GitLab is configured. */
  readonly notifier?: Notifier;
  /** Absent when `versionServer` is not configured: version entries are then skipped. */
  readonly versionServer?: VersionServer;
  /** Absent when `hackerone` is not configured: HackerOne follow-ups are then skipped. */
  readonly hackerone?: HackerOne;
  /** GitLab reads for `/secrel start`'s setup check; absent: the check is skipped (logged). */
  readonly gitlabSetup?: GitLabSetupApi;
  /** Counts for the operations dashboard; absent in local mode. */
  readonly metrics?: Metrics;
}

/** The playbook a deployment runs: the one in config when given, else the seed process. */
export function playbookOf(config: SecrelConfig): Playbook {
  return config.playbook === undefined ? DEFAULT_PLAYBOOK : parsePlaybook(config.playbook);
}
