import type { SecrelConfig } from '../core/config.js';
import type { Clock, EffectDispatcher, Logger, ReleaseStore, Workflow } from '../ports.js';

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
