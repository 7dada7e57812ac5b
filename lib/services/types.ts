import type { SecrelConfig } from '../core/config.js';
import type { Playbook } from '../core/types/playbook.js';
import type {
  Clock,
  EffectDispatcher,
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

/** Secrets ingress checks each delivery against (rotation: several of each). */
export interface IngressAuth {
  /** Accepted `X-Gitlab-Token` values. */
  readonly secrets: readonly string[];
  /** Accepted `whsec_…` signing keys; when non-empty every delivery must carry a valid signature. */
  readonly signingKeys: readonly string[];
}

/** What ingress needs from the world; the same on Lambda and in local mode. */
export interface IngressDeps {
  readonly config: SecrelConfig;
  readonly store: ReleaseStore;
  readonly workflow: Workflow;
  readonly effects: EffectDispatcher;
  /** The release clock (local mode may run it fast). */
  readonly clock: Clock;
  readonly logger: Logger;
}

/** Ingress plus the webhook's secrets and the wall clock used to judge signature timestamps. */
export interface WebhookDeps extends IngressDeps {
  readonly auth: IngressAuth;
  /**
   * Real time in ms for Standard Webhooks timestamps: GitLab signs with the wall clock, which the
   * release clock's speed does not change. Defaults to `Date.now`.
   */
  readonly wallClockMs?: () => number;
}

/** One webhook delivery as received: lower-case header names, the raw body. */
export interface WebhookRequest {
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: Buffer | string;
}

/** What ingress answers; `body` is serialised as JSON by the edge (Lambda or local server). */
export interface WebhookResponse {
  readonly status: number;
  readonly body: WebhookReply;
}

/** The small JSON body GitLab receives. It never echoes the payload. */
export type WebhookReply =
  | { readonly status: 'accepted' | 'duplicate' | 'ignored' }
  | { readonly status: 'rejected'; readonly reason: string }
  | { readonly status: 'unauthorized' }
  | { readonly status: 'error' };

/** What ingesting one event did. */
export interface IngestResult {
  /** `accepted`: recorded (changed a release or not); `duplicate`: seen before, nothing done. */
  readonly status: 'accepted' | 'duplicate';
  /** Releases whose state changed. */
  readonly changed: readonly string[];
}

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
