import type { ServerResponse } from 'node:http';
import { FakeServer, type PlannedFailure, type RecordedCall, sendJson } from '../http.js';
import type { DeliveryOptions, WebhookDelivery } from '../webhook-sender.js';
import { FakeGitLabApi } from './api.js';
import type { GitLabHook, HookEvent } from './hook-payloads.js';
import { FakeGitLabHooks } from './hooks.js';
import { FakeGitLabPeople, type OpenIssueInput, type OpenMergeRequestInput } from './people.js';
import { type PipelinePolicy, PipelineScheduler } from './pipeline-scheduler.js';
import type { RouteEntry } from './route-helpers.js';
import { FakeGitLabSetup, type FakeGitLabSetupOptions } from './setup-routes.js';
import {
  type FakeBranch,
  FakeGitLabState,
  type FakeIssue,
  type FakeMergeRequest,
  type FakeNote,
  type FakePipeline,
  type FakeProject,
} from './state.js';

/** Options of {@link startFakeGitLab}. */
export interface FakeGitLabOptions {
  /** The API token the fake accepts in `PRIVATE-TOKEN`. */
  readonly token?: string;
  /** Projects the fake hosts; one `security/product` project (id 1) when absent. */
  readonly projects?: readonly FakeProject[];
  /** Usernames that exist; when absent every username exists. */
  readonly users?: readonly string[];
  /** Where GitLab's webhooks go; can be set later with {@link FakeGitLab.setWebhook}. */
  readonly webhookUrl?: string;
  readonly webhookSecret?: string;
  /** `whsec_...`: deliveries are also signed the Standard Webhooks way. */
  readonly signingKey?: string;
  /** Default `manual`. */
  readonly autoCompletePipelines?: PipelinePolicy;
  /** Delay before an auto-completed pipeline reports, in ms (default 0). */
  readonly pipelineDelayMs?: number;
  /** Send Issue Hooks when issues are created or edited through the API (default false). */
  readonly issueHooks?: boolean;
  /** Send Note Hooks when comments are created through the API (default false). */
  readonly noteHooks?: boolean;
  /** Send Merge Request Hooks when MRs are created through the API (default false). */
  readonly mergeRequestHooks?: boolean;
  /** The setup API `secrel connect` uses: token scopes, access, blocked users, branches (see setup-routes.ts). */
  readonly setup?: FakeGitLabSetupOptions;
}

/** The fake GitLab's default API token. */
export const FAKE_GITLAB_TOKEN = 'glpat-fake-secrel-token';

const DEFAULT_PROJECT: FakeProject = { id: 1, path: 'security/product', defaultBranch: 'main' };

/**
 * A GitLab that lives in the test: it answers the REST API v4 routes secrel's GitLab client
 * uses, keeps what it is given in memory, records every call, and plays GitLab towards secrel
 * by sending webhooks. Everything stays on 127.0.0.1. It is composed of its roles: the state
 * (state.ts), the API (api.ts, setup-routes.ts), the webhooks (hooks.ts), the people
 * (people.ts) and the pipeline scheduler (pipeline-scheduler.ts).
 */
export class FakeGitLab extends FakeServer {
  readonly issues: FakeIssue[];
  readonly notes: FakeNote[];
  /** Comments on merge requests (`issueIid` holds the MR's iid). */
  readonly mergeRequestNotes: FakeNote[];
  readonly branches: FakeBranch[];
  readonly mergeRequests: FakeMergeRequest[];
  readonly pipelines: FakePipeline[];
  /** Every webhook sent, in order. */
  readonly deliveries: WebhookDelivery[];
  /** Token, projects' access, users, branches and project hooks (`secrel connect`'s calls). */
  readonly setup: FakeGitLabSetup;
  /** Called after each issue is read through the API (a person editing right after secrel read). */
  afterIssueRead: ((issue: FakeIssue) => void) | undefined;

  private readonly state: FakeGitLabState;
  private readonly hooks: FakeGitLabHooks;
  private readonly scheduler: PipelineScheduler;
  private readonly people: FakeGitLabPeople;
  private readonly routes: RouteEntry[];

  constructor(private readonly options: FakeGitLabOptions = {}) {
    super('GitLab');
    this.state = new FakeGitLabState(options.projects ?? [DEFAULT_PROJECT], options.users, {
      url: () => this.serverUrl,
    });
    this.hooks = new FakeGitLabHooks(this.state, { ...options, instanceUrl: () => this.startedUrl });
    this.scheduler = new PipelineScheduler(
      this.state,
      this.hooks,
      options.autoCompletePipelines,
      options.pipelineDelayMs,
    );
    this.people = new FakeGitLabPeople(this.state, this.hooks);
    this.setup = new FakeGitLabSetup(this.state, options.setup);
    const api = new FakeGitLabApi(this.state, this.hooks, this.scheduler, {
      ...options,
      userState: (username) => this.setup.userState(username),
      afterIssueRead: (issue) => this.afterIssueRead?.(issue),
    });
    this.routes = [...api.routes(), ...this.setup.routes()];
    this.issues = this.state.issues;
    this.notes = this.state.notes;
    this.mergeRequestNotes = this.state.mergeRequestNotes;
    this.branches = this.state.branches;
    this.mergeRequests = this.state.mergeRequests;
    this.pipelines = this.state.pipelines;
    this.deliveries = this.hooks.deliveries;
  }

  /** Base URL (`http://127.0.0.1:port`): give it to the client as `host`. */
  get url(): string {
    return this.serverUrl;
  }

  /** The token the fake accepts. */
  get token(): string {
    return this.options.token ?? FAKE_GITLAB_TOKEN;
  }

  /** Points the fake's webhooks at secrel (its URL is often known only after secrel starts). */
  setWebhook(url: string, secret?: string): void {
    this.hooks.setWebhook(url, secret);
  }

  /** Makes matching API calls fail, e.g. `{ method: 'POST', path: /pipeline$/, status: 503, times: 2 }`. */
  failRequests(plan: PlannedFailure): void {
    this.failures.add(plan);
  }

  /** Forgets everything received and created; options and webhook target stay. */
  override reset(): void {
    super.reset();
    this.state.reset();
    this.hooks.reset();
    this.scheduler.reset();
    this.setup.reset();
  }

  /** Waits until every webhook the fake has scheduled has been delivered (or failed). */
  settled(): Promise<void> {
    return this.hooks.settled();
  }

  /** Waits for scheduled webhooks, then stops the server. */
  override async close(): Promise<void> {
    await this.settled();
    await super.close();
  }

  /** The id GitLab would give a username, or `undefined` when no such user exists. */
  userId(username: string): number | undefined {
    return this.state.userId(username);
  }

  /** The project with this id or path. */
  project(ref: number | string): FakeProject | undefined {
    return this.state.project(ref);
  }

  // ---- playing GitLab towards secrel -------------------------------------------------------

  /** Sends one webhook with GitLab's headers to the configured URL. */
  sendWebhook(
    event: HookEvent,
    payload: Readonly<Record<string, unknown>>,
    options: DeliveryOptions = {},
  ): Promise<WebhookDelivery> {
    return this.hooks.send(event, payload, options);
  }

  /** Sends a hook built by the payload builders (hook-payloads.ts and its siblings). */
  deliver(hook: GitLabHook, options: DeliveryOptions = {}): Promise<WebhookDelivery> {
    return this.hooks.deliver(hook, options);
  }

  /** A reporter's confidential issue, as a person opens it (no hook: GitLab's open hook is not needed to start). */
  openIssue(input: OpenIssueInput): FakeIssue {
    return this.people.openIssue(input);
  }

  /** A person adds a label to an issue; GitLab sends the (Confidential) Issue Hook. */
  labelIssue(project: number | string, iid: number, label: string, actor = 'security-lead') {
    return this.people.labelIssue(project, iid, label, actor);
  }

  /** A developer opens a merge request; GitLab sends the Merge Request Hook. */
  openMergeRequest(input: OpenMergeRequestInput) {
    return this.people.openMergeRequest(input);
  }

  /** A maintainer merges a merge request; GitLab sends the Merge Request Hook with action `merge`. */
  mergeMergeRequest(project: number | string, iid: number, actor = 'release-manager') {
    return this.people.mergeMergeRequest(project, iid, actor);
  }

  /** A person comments on an issue (a `/secrel` command); GitLab sends the Note Hook. */
  comment(project: number | string, iid: number, body: string, actor = 'security-lead') {
    return this.people.comment(project, iid, body, actor);
  }

  /** A deployment to an environment changes status; GitLab sends the Deployment Hook. */
  deploy(environment: string, status: 'running' | 'success' | 'failed', project?: number | string) {
    return this.people.deploy(environment, status, project);
  }

  /** Finishes a pipeline and sends the Pipeline Hook with its variables. */
  completePipeline(id: number, status: 'success' | 'failed' | 'canceled' = 'success') {
    return this.scheduler.complete(id, status);
  }

  // ---- the REST API -------------------------------------------------------------------------

  protected override handle(call: RecordedCall, res: ServerResponse): void {
    if (call.headers['private-token'] !== this.token) {
      sendJson(res, 401, { message: '401 Unauthorized' });
      return;
    }
    const failure = this.failures.take(call);
    if (failure) {
      const answer = (): void => {
        if (res.destroyed) return;
        if (failure.retryAfter !== undefined) res.setHeader('retry-after', failure.retryAfter);
        sendJson(res, failure.status, failure.body ?? { message: `${failure.status} planned failure` });
      };
      if (failure.delayMs) setTimeout(answer, failure.delayMs).unref();
      else answer();
      return;
    }
    const route = call.path.replace(/^\/api\/v4\//, '');
    for (const [method, pattern, handler] of this.routes) {
      const match = method === call.method ? pattern.exec(route) : null;
      if (match) {
        handler(call, match.slice(1), res);
        return;
      }
    }
    sendJson(res, 404, { error: '404 Not Found' });
  }
}

/** Starts a fake GitLab on 127.0.0.1; call `close()` when done. */
export async function startFakeGitLab(options: FakeGitLabOptions = {}): Promise<FakeGitLab> {
  return new FakeGitLab(options).start();
}
