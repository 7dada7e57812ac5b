import { type DeliveryOptions, deliverWebhook, type WebhookDelivery } from '../webhook-sender.js';
import {
  type GitLabHook,
  type HookEvent,
  type HookProject,
  type HookUser,
  issueHook,
  issueNoteHook,
} from './hook-payloads.js';
import { mergeRequestHook } from './merge-request-payloads.js';
import { pipelineHook } from './pipeline-payloads.js';
import type {
  FakeGitLabState,
  FakeIssue,
  FakeMergeRequest,
  FakeNote,
  FakePipeline,
  FakeProject,
} from './state.js';

/**
 * The fake GitLab's webhooks towards secrel: where they go, the deliveries made, and the hooks
 * GitLab sends after a change (issue, note, merge request, pipeline). Deliveries GitLab makes in
 * the background are tracked so a test can wait for them.
 */

/** Where the fake's webhooks go and how they are signed. */
export interface FakeGitLabHookOptions {
  readonly webhookUrl?: string;
  readonly webhookSecret?: string;
  /** `whsec_...`: deliveries are also signed the Standard Webhooks way. */
  readonly signingKey?: string;
  /** The `X-Gitlab-Instance` header: the fake's URL once started. */
  readonly instanceUrl: () => string | undefined;
}

/** The project as a hook describes it. */
export function hookProject(project: FakeProject): HookProject {
  return { id: project.id, path: project.path, defaultBranch: project.defaultBranch };
}

/** Sends the fake GitLab's webhooks; reached through {@link FakeGitLab}'s methods. */
export class FakeGitLabHooks {
  /** Every webhook sent, in order. */
  readonly deliveries: WebhookDelivery[] = [];
  private webhook: { url: string; secret?: string } | undefined;
  private readonly pending = new Set<Promise<unknown>>();

  constructor(
    private readonly state: FakeGitLabState,
    private readonly options: FakeGitLabHookOptions,
  ) {
    if (options.webhookUrl) this.webhook = { url: options.webhookUrl, secret: options.webhookSecret };
  }

  /** Points the webhooks at secrel. */
  setWebhook(url: string, secret?: string): void {
    this.webhook = { url, secret };
  }

  /** Sends one webhook with GitLab's headers to the configured URL. */
  async send(
    event: HookEvent,
    payload: Readonly<Record<string, unknown>>,
    options: DeliveryOptions = {},
  ): Promise<WebhookDelivery> {
    if (!this.webhook) throw new Error('fake GitLab has no webhook URL: call setWebhook first');
    const delivery = await deliverWebhook(
      {
        url: this.webhook.url,
        secret: this.webhook.secret,
        signingKey: this.options.signingKey,
        instanceUrl: this.options.instanceUrl() ?? 'https://gitlab.example.com',
      },
      event,
      payload,
      options,
    );
    this.deliveries.push(delivery);
    return delivery;
  }

  /** Sends a hook built by the payload builders. */
  deliver(hook: GitLabHook, options: DeliveryOptions = {}): Promise<WebhookDelivery> {
    return this.send(hook.event, hook.payload, options);
  }

  /** Runs a webhook delivery without making the API answer wait for it, as GitLab does. */
  background(work: Promise<unknown>): void {
    const tracked = work.catch(() => undefined).finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }

  /** Waits until every webhook scheduled in the background has been delivered (or failed). */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /** Forgets the deliveries made; the webhook target stays. */
  reset(): void {
    this.deliveries.length = 0;
  }

  /** Who acted, with the id GitLab gives the username (1 when it has none). */
  actor(username: string): HookUser & { id: number } {
    return { id: this.state.userId(username) ?? 1, username };
  }

  /** The (Confidential) Issue Hook after an issue changed; nothing without a webhook URL. */
  issue(
    project: FakeProject,
    issue: FakeIssue,
    action: 'open' | 'close' | 'reopen' | 'update',
    changes: Record<string, { previous: unknown; current: unknown }>,
  ): Promise<WebhookDelivery | undefined> {
    if (!this.webhook) return Promise.resolve(undefined);
    return this.deliver(
      issueHook({
        project: hookProject(project),
        issue: { ...issue, labels: [...issue.labels] },
        action,
        changes,
        actor: this.actor('secrel-bot'),
        instanceUrl: this.state.url,
      }),
    );
  }

  /** The (Confidential) Note Hook after a comment on an issue. */
  note(project: FakeProject, issue: FakeIssue, note: FakeNote): Promise<WebhookDelivery> {
    return this.deliver(
      issueNoteHook({
        project: hookProject(project),
        noteId: note.id,
        issueIid: issue.iid,
        issueId: issue.id,
        body: note.body,
        confidential: issue.confidential,
        issueTitle: issue.title,
        actor: this.actor(note.author),
        instanceUrl: this.state.url,
      }),
    );
  }

  /** The Merge Request Hook after an MR was opened or merged. */
  mergeRequest(
    project: FakeProject,
    mr: FakeMergeRequest,
    action: 'open' | 'merge',
    actor = 'secrel-bot',
  ): Promise<WebhookDelivery> {
    return this.deliver(
      mergeRequestHook({
        project: hookProject(project),
        mergeRequest: mr,
        action,
        actor: this.actor(actor),
        instanceUrl: this.state.url,
        at: mr.updatedAt,
      }),
    );
  }

  /** The Pipeline Hook with the pipeline's status and variables. */
  pipeline(pipeline: FakePipeline): Promise<WebhookDelivery> {
    const project = this.state.requireProject(pipeline.projectId);
    return this.deliver(
      pipelineHook({
        project: hookProject(project),
        pipelineId: pipeline.id,
        ref: pipeline.ref,
        status: pipeline.status,
        variables: pipeline.variables,
        source: 'api',
        actor: this.actor('secrel-bot'),
        instanceUrl: this.state.url,
      }),
    );
  }
}
