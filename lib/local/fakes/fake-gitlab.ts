import type { ServerResponse } from 'node:http';
import * as z from 'zod';
import {
  type FakeBranch,
  type FakeIssue,
  type FakeMergeRequest,
  type FakeNote,
  type FakePipeline,
  type FakeProject,
  IdCounter,
  nextUpdatedAt,
} from './fake-gitlab-state.js';
import {
  deploymentHook,
  type GitLabHook,
  type HookEvent,
  type HookProject,
  issueHook,
  issueLabelledHook,
  issueNoteHook,
  mergeRequestHook,
  pipelineHook,
} from './gitlab-hooks.js';
import { FakeGitLabSetup, type FakeGitLabSetupOptions } from './gitlab-setup-routes.js';
import { FakeServer, type PlannedFailure, type RecordedCall, sendJson } from './http.js';
import { type DeliveryOptions, deliverWebhook, type WebhookDelivery } from './webhook-sender.js';

export type { FakeBranch, FakeIssue, FakeMergeRequest, FakeNote, FakePipeline, FakeProject };

/** How a pipeline secrel creates ends: `manual` leaves it running until {@link FakeGitLab.completePipeline}. */
export type PipelineOutcome = 'success' | 'failed' | 'manual';

/**
 * What the fake does with pipelines created through the API. A function gets the pipeline and
 * its attempt number (1 for the first pipeline with the same project, ref, `SECREL_ACTION` and
 * `SECREL_VERSION`); `{ failFirst: n }` fails the first n attempts and then succeeds.
 */
export type PipelinePolicy =
  | PipelineOutcome
  | { readonly failFirst: number }
  | ((pipeline: FakePipeline, attempt: number) => PipelineOutcome);

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
  /** The setup API `secrel connect` uses: token scopes, access, blocked users, branches (see gitlab-setup-routes.ts). */
  readonly setup?: FakeGitLabSetupOptions;
}

/** The fake GitLab's default API token. */
export const FAKE_GITLAB_TOKEN = 'glpat-fake-secrel-token';

const DEFAULT_PROJECT: FakeProject = { id: 1, path: 'security/product', defaultBranch: 'main' };

const issueCreateBody = z.object({
  title: z.string().min(1),
  description: z.string().optional(),
  confidential: z.boolean().optional(),
  labels: z.union([z.string(), z.array(z.string())]).optional(),
});
const issueEditBody = z.object({
  confidential: z.boolean().optional(),
  state_event: z.enum(['close', 'reopen']).optional(),
  add_labels: z.string().optional(),
  description: z.string().optional(),
});
const noteBody = z.object({ body: z.string().min(1) });
const linkBody = z.object({
  target_project_id: z.union([z.number(), z.string()]),
  target_issue_iid: z.union([z.number(), z.string()]),
});
const branchBody = z.object({ branch: z.string().min(1), ref: z.string().min(1) });
const mergeRequestBody = z.object({
  source_branch: z.string().min(1),
  target_branch: z.string().min(1),
  title: z.string().min(1),
  description: z.string().optional(),
  assignee_ids: z.array(z.number()).optional(),
});
const pipelineBody = z.object({
  ref: z.string().min(1),
  variables: z.array(z.object({ key: z.string(), value: z.string() })).optional(),
});

type Route = (call: RecordedCall, params: readonly string[], res: ServerResponse) => void;

/**
 * A GitLab that lives in the test: it answers the REST API v4 routes secrel's GitLab client
 * uses, keeps what it is given in memory, records every call, and plays GitLab towards secrel
 * by sending webhooks. Everything stays on 127.0.0.1.
 */
export class FakeGitLab extends FakeServer {
  readonly issues: FakeIssue[] = [];
  readonly notes: FakeNote[] = [];
  /** Comments on merge requests (`issueIid` holds the MR's iid). */
  readonly mergeRequestNotes: FakeNote[] = [];
  readonly branches: FakeBranch[] = [];
  readonly mergeRequests: FakeMergeRequest[] = [];
  readonly pipelines: FakePipeline[] = [];
  /** Every webhook sent, in order. */
  readonly deliveries: WebhookDelivery[] = [];
  /** Token, projects' access, users, branches and project hooks (`secrel connect`'s calls). */
  readonly setup: FakeGitLabSetup;
  /** Called after each issue is read through the API (a person editing right after secrel read). */
  afterIssueRead: ((issue: FakeIssue) => void) | undefined;

  private ids = new IdCounter();
  private readonly pending = new Set<Promise<unknown>>();
  private readonly pipelineAttempts = new Map<string, number>();
  private readonly userIds = new Map<string, number>();
  private readonly projects: readonly FakeProject[];
  private webhook: { url: string; secret?: string } | undefined;
  private readonly routes: [string, RegExp, Route][];

  constructor(private readonly options: FakeGitLabOptions = {}) {
    super('GitLab');
    this.projects = options.projects ?? [DEFAULT_PROJECT];
    if (options.webhookUrl) this.webhook = { url: options.webhookUrl, secret: options.webhookSecret };
    this.resetUsers();
    this.routes = [
      ['GET', /^users$/, (call, _, res) => this.listUsers(call, res)],
      ['POST', /^projects\/([^/]+)\/issues$/, (call, [p], res) => this.createIssue(call, p, res)],
      ['GET', /^projects\/([^/]+)\/issues\/(\d+)$/, (_, [p, iid], res) => this.showIssue(p, iid, res)],
      [
        'PUT',
        /^projects\/([^/]+)\/issues\/(\d+)$/,
        (call, [p, iid], res) => this.editIssue(call, p, iid, res),
      ],
      [
        'POST',
        /^projects\/([^/]+)\/issues\/(\d+)\/notes$/,
        (call, [p, iid], res) => this.createNote(call, p, iid, res),
      ],
      [
        'POST',
        /^projects\/([^/]+)\/issues\/(\d+)\/links$/,
        (call, [p, iid], res) => this.linkIssue(call, p, iid, res),
      ],
      [
        'POST',
        /^projects\/([^/]+)\/repository\/branches$/,
        (call, [p], res) => this.createBranch(call, p, res),
      ],
      [
        'GET',
        /^projects\/([^/]+)\/merge_requests$/,
        (call, [p], res) => this.listMergeRequests(call, p, res),
      ],
      [
        'GET',
        /^projects\/([^/]+)\/merge_requests\/(\d+)$/,
        (_call, [p, iid], res) => this.showMergeRequest(p, iid, res),
      ],
      [
        'POST',
        /^projects\/([^/]+)\/merge_requests$/,
        (call, [p], res) => this.createMergeRequest(call, p, res),
      ],
      ['POST', /^projects\/([^/]+)\/pipeline$/, (call, [p], res) => this.createPipeline(call, p, res)],
      ['GET', /^projects\/([^/]+)\/pipelines$/, (call, [p], res) => this.listPipelines(call, p, res)],
      [
        'GET',
        /^projects\/([^/]+)\/pipelines\/(\d+)(\/variables)?$/,
        (_call, [p, id, variables], res) => this.showPipeline(p, id, variables !== undefined, res),
      ],
      [
        'POST',
        /^projects\/([^/]+)\/merge_requests\/(\d+)\/notes$/,
        (call, [p, iid], res) => this.createMergeRequestNote(call, p, iid, res),
      ],
    ];
    this.setup = new FakeGitLabSetup(this, options.setup);
    this.routes.push(...this.setup.routes());
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
    this.webhook = { url, secret };
  }

  /** Makes matching API calls fail, e.g. `{ method: 'POST', path: /pipeline$/, status: 503, times: 2 }`. */
  failRequests(plan: PlannedFailure): void {
    this.failures.add(plan);
  }

  /** Forgets everything received and created; options and webhook target stay. */
  override reset(): void {
    super.reset();
    for (const list of [
      this.issues,
      this.notes,
      this.mergeRequestNotes,
      this.branches,
      this.mergeRequests,
      this.pipelines,
      this.deliveries,
    ]) {
      list.length = 0;
    }
    this.ids = new IdCounter();
    this.pipelineAttempts.clear();
    this.resetUsers();
    this.setup.reset();
  }

  /** Waits until every webhook the fake has scheduled has been delivered (or failed). */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /** Waits for scheduled webhooks, then stops the server. */
  override async close(): Promise<void> {
    await this.settled();
    await super.close();
  }

  /** The id GitLab would give a username, or `undefined` when no such user exists. */
  userId(username: string): number | undefined {
    if (!this.userIds.has(username) && this.options.users === undefined) {
      this.userIds.set(username, 100 + this.userIds.size);
    }
    return this.userIds.get(username);
  }

  /** The project with this id or path. */
  project(ref: number | string): FakeProject | undefined {
    const text = String(ref);
    return this.projects.find((p) => String(p.id) === text || p.path === text);
  }

  // ---- playing GitLab towards secrel -------------------------------------------------------

  /** Sends one webhook with GitLab's headers to the configured URL. */
  async sendWebhook(
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
        instanceUrl: this.startedUrl ?? 'https://gitlab.example.com',
      },
      event,
      payload,
      options,
    );
    this.deliveries.push(delivery);
    return delivery;
  }

  /** Sends a hook built by the builders in `gitlab-hooks.ts`. */
  deliver(hook: GitLabHook, options: DeliveryOptions = {}): Promise<WebhookDelivery> {
    return this.sendWebhook(hook.event, hook.payload, options);
  }

  /** A reporter's confidential issue, as a person opens it (no hook: GitLab's open hook is not needed to start). */
  openIssue(input: {
    project?: number | string;
    title: string;
    description?: string;
    confidential?: boolean;
    labels?: readonly string[];
  }): FakeIssue {
    const project = this.requireProject(input.project ?? this.projects[0]!.id);
    return this.addIssue(project, {
      title: input.title,
      description: input.description ?? '',
      confidential: input.confidential ?? true,
      labels: [...(input.labels ?? [])],
    });
  }

  /** A person adds a label to an issue; GitLab sends the (Confidential) Issue Hook. */
  async labelIssue(project: number | string, iid: number, label: string, actor = 'security-lead') {
    const p = this.requireProject(project);
    const issue = this.requireIssue(p, iid);
    const previous = [...issue.labels];
    if (!issue.labels.includes(label)) issue.labels.push(label);
    return this.deliver(
      issueLabelledHook({
        project: this.hookProject(p),
        iid,
        title: issue.title,
        label,
        previousLabels: previous,
        confidential: issue.confidential,
        actor: this.actor(actor),
        instanceUrl: this.url,
      }),
    );
  }

  /** A developer opens a merge request; GitLab sends the Merge Request Hook. */
  async openMergeRequest(input: {
    project?: number | string;
    sourceBranch: string;
    targetBranch: string;
    title: string;
    description: string;
    author?: string;
  }) {
    const project = this.requireProject(input.project ?? this.projects[0]!.id);
    const mr = this.addMergeRequest(project, { ...input, assigneeIds: [] });
    return { mergeRequest: mr, delivery: await this.sendMergeRequestHook(project, mr, 'open', input.author) };
  }

  /** A maintainer merges a merge request; GitLab sends the Merge Request Hook with action `merge`. */
  async mergeMergeRequest(project: number | string, iid: number, actor = 'release-manager') {
    const p = this.requireProject(project);
    const mr = this.mergeRequests.find((m) => m.projectId === p.id && m.iid === iid);
    if (!mr) throw new Error(`fake GitLab has no merge request !${iid} in project ${p.id}`);
    mr.state = 'merged';
    mr.mergedBy = actor;
    mr.updatedAt = nextUpdatedAt(mr.updatedAt);
    return this.sendMergeRequestHook(p, mr, 'merge', actor);
  }

  /** A person comments on an issue (a `/secrel` command); GitLab sends the Note Hook. */
  async comment(project: number | string, iid: number, body: string, actor = 'security-lead') {
    const p = this.requireProject(project);
    const issue = this.requireIssue(p, iid);
    const note = this.addNote(p, iid, body, actor);
    return this.sendNoteHook(p, issue, note);
  }

  /** A deployment to an environment changes status; GitLab sends the Deployment Hook. */
  async deploy(environment: string, status: 'running' | 'success' | 'failed', project?: number | string) {
    const p = this.requireProject(project ?? this.projects[0]!.id);
    return this.deliver(
      deploymentHook({
        project: this.hookProject(p),
        deploymentId: this.ids.id(),
        environment,
        status,
        instanceUrl: this.url,
      }),
    );
  }

  /** Finishes a pipeline and sends the Pipeline Hook with its variables. */
  async completePipeline(id: number, status: 'success' | 'failed' | 'canceled' = 'success') {
    const pipeline = this.pipelines.find((p) => p.id === id);
    if (!pipeline) throw new Error(`fake GitLab has no pipeline ${id}`);
    pipeline.status = status;
    pipeline.updatedAt = nextUpdatedAt(pipeline.updatedAt);
    return this.sendPipelineHook(pipeline);
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

  private listUsers(call: RecordedCall, res: ServerResponse): void {
    const username = call.query.username;
    const id = username === undefined ? undefined : this.userId(username);
    sendJson(
      res,
      200,
      id === undefined ? [] : [{ id, username, name: username, state: this.setup.userState(username ?? '') }],
    );
  }

  private createIssue(call: RecordedCall, projectRef: string | undefined, res: ServerResponse): void {
    const project = this.findProject(projectRef, res);
    const body = project && this.parse(issueCreateBody, call.body, res);
    if (!project || !body) return;
    const labels = typeof body.labels === 'string' ? body.labels.split(',') : (body.labels ?? []);
    const issue = this.addIssue(project, {
      title: body.title,
      description: body.description ?? '',
      confidential: body.confidential ?? false,
      labels: labels.map((l) => l.trim()).filter((l) => l !== ''),
    });
    sendJson(res, 201, this.issueJson(issue));
    if (this.options.issueHooks) this.background(this.sendIssueHook(project, issue, 'open', {}));
  }

  private showIssue(projectRef: string | undefined, iid: string | undefined, res: ServerResponse): void {
    const project = this.findProject(projectRef, res);
    const issue = project && this.findIssue(project, iid, res);
    if (issue) sendJson(res, 200, this.issueJson(issue));
    if (issue) this.afterIssueRead?.(issue);
  }

  private editIssue(
    call: RecordedCall,
    projectRef: string | undefined,
    iid: string | undefined,
    res: ServerResponse,
  ): void {
    const found = this.issueCall(issueEditBody, call, projectRef, iid, res);
    if (!found) return;
    const { project, issue, body } = found;
    const changes: Record<string, { previous: unknown; current: unknown }> = {};
    if (body.confidential !== undefined && body.confidential !== issue.confidential) {
      changes.confidential = { previous: issue.confidential, current: body.confidential };
      issue.confidential = body.confidential;
    }
    const nextState =
      body.state_event === 'close' ? 'closed' : body.state_event === 'reopen' ? 'opened' : undefined;
    const stateChanged = nextState !== undefined && nextState !== issue.state;
    if (stateChanged) issue.state = nextState;
    for (const label of body.add_labels?.split(',') ?? []) {
      if (label.trim() && !issue.labels.includes(label.trim())) issue.labels.push(label.trim());
    }
    if (body.description !== undefined && body.description !== issue.description) {
      changes.description = { previous: issue.description, current: body.description };
      issue.description = body.description;
    }
    issue.updatedAt = nextUpdatedAt(issue.updatedAt);
    sendJson(res, 200, this.issueJson(issue));
    if (!this.options.issueHooks) return;
    const action = stateChanged ? (nextState === 'closed' ? 'close' : 'reopen') : 'update';
    this.background(this.sendIssueHook(project, issue, action, changes));
  }

  private createNote(
    call: RecordedCall,
    projectRef: string | undefined,
    iid: string | undefined,
    res: ServerResponse,
  ): void {
    const found = this.issueCall(noteBody, call, projectRef, iid, res);
    if (!found) return;
    const { project, issue, body } = found;
    const note = this.addNote(project, issue.iid, body.body, 'secrel-bot');
    sendJson(res, 201, {
      id: note.id,
      body: note.body,
      author: { id: this.userId('secrel-bot') ?? 1, username: 'secrel-bot' },
      noteable_type: 'Issue',
      noteable_iid: issue.iid,
      confidential: issue.confidential,
      internal: false,
      system: false,
    });
    if (this.options.noteHooks) this.background(this.sendNoteHook(project, issue, note));
  }

  private createMergeRequestNote(
    call: RecordedCall,
    projectRef: string | undefined,
    iid: string | undefined,
    res: ServerResponse,
  ): void {
    const project = this.findProject(projectRef, res);
    const mr = project && this.mergeRequests.find((m) => m.projectId === project.id && String(m.iid) === iid);
    if (project && !mr) sendJson(res, 404, { message: '404 Merge Request Not Found' });
    const body = mr && this.parse(noteBody, call.body, res);
    if (!project || !mr || !body) return;
    const note: FakeNote = {
      id: this.ids.id(),
      projectId: project.id,
      issueIid: mr.iid,
      body: body.body,
      author: 'secrel-bot',
    };
    this.mergeRequestNotes.push(note);
    sendJson(res, 201, { id: note.id, body: note.body, noteable_type: 'MergeRequest', noteable_iid: mr.iid });
  }

  private linkIssue(
    call: RecordedCall,
    projectRef: string | undefined,
    iid: string | undefined,
    res: ServerResponse,
  ): void {
    const found = this.issueCall(linkBody, call, projectRef, iid, res);
    if (!found) return;
    const { issue, body } = found;
    const targetProject = this.findProject(String(body.target_project_id), res);
    const target = targetProject && this.findIssue(targetProject, String(body.target_issue_iid), res);
    if (!targetProject || !target) return;
    if (issue.links.some((l) => l.projectId === target.projectId && l.iid === target.iid)) {
      sendJson(res, 409, { message: 'Issue(s) already assigned' });
      return;
    }
    issue.links.push({ projectId: target.projectId, iid: target.iid });
    target.links.push({ projectId: issue.projectId, iid: issue.iid });
    sendJson(res, 201, {
      source_issue: this.issueJson(issue),
      target_issue: this.issueJson(target),
      link_type: 'relates_to',
    });
  }

  private createBranch(call: RecordedCall, projectRef: string | undefined, res: ServerResponse): void {
    const project = this.findProject(projectRef, res);
    const body = project && this.parse(branchBody, call.body, res);
    if (!project || !body) return;
    if (this.branches.some((b) => b.projectId === project.id && b.name === body.branch)) {
      sendJson(res, 400, { message: 'Branch already exists' });
      return;
    }
    this.branches.push({ projectId: project.id, name: body.branch, ref: body.ref });
    sendJson(res, 201, {
      name: body.branch,
      merged: false,
      protected: false,
      default: false,
      web_url: `${this.url}/${project.path}/-/tree/${body.branch}`,
      commit: { id: 'bcbb5ec396a2c0f828686f14fac9b80b780504f2' },
    });
  }

  private listMergeRequests(call: RecordedCall, projectRef: string | undefined, res: ServerResponse): void {
    const project = this.findProject(projectRef, res);
    if (!project) return;
    const { source_branch: source, target_branch: target, state } = call.query;
    const found = this.mergeRequests.filter(
      (mr) =>
        mr.projectId === project.id &&
        (source === undefined || mr.sourceBranch === source) &&
        (target === undefined || mr.targetBranch === target) &&
        (state === undefined || state === 'all' || mr.state === state),
    );
    sendJson(
      res,
      200,
      found.map((mr) => this.mergeRequestJson(mr)),
    );
  }

  /** `GET /projects/:id/merge_requests/:iid`: what reconciliation reads back. */
  private showMergeRequest(
    projectRef: string | undefined,
    iid: string | undefined,
    res: ServerResponse,
  ): void {
    const project = this.findProject(projectRef, res);
    if (!project) return;
    const mr = this.mergeRequests.find((m) => m.projectId === project.id && m.iid === Number(iid));
    if (!mr) {
      sendJson(res, 404, { message: '404 Not found' });
      return;
    }
    sendJson(res, 200, this.mergeRequestJson(mr));
  }

  private createMergeRequest(call: RecordedCall, projectRef: string | undefined, res: ServerResponse): void {
    const project = this.findProject(projectRef, res);
    const body = project && this.parse(mergeRequestBody, call.body, res);
    if (!project || !body) return;
    const existing = this.mergeRequests.find(
      (mr) =>
        mr.projectId === project.id &&
        mr.state === 'opened' &&
        mr.sourceBranch === body.source_branch &&
        mr.targetBranch === body.target_branch,
    );
    if (existing) {
      sendJson(res, 409, {
        message: [`Another open merge request already exists for this source branch: !${existing.iid}`],
      });
      return;
    }
    const mr = this.addMergeRequest(project, {
      sourceBranch: body.source_branch,
      targetBranch: body.target_branch,
      title: body.title,
      description: body.description ?? '',
      assigneeIds: body.assignee_ids ?? [],
    });
    sendJson(res, 201, this.mergeRequestJson(mr));
    if (this.options.mergeRequestHooks) this.background(this.sendMergeRequestHook(project, mr, 'open'));
  }

  private createPipeline(call: RecordedCall, projectRef: string | undefined, res: ServerResponse): void {
    const project = this.findProject(projectRef, res);
    const body = project && this.parse(pipelineBody, call.body, res);
    if (!project || !body) return;
    const id = this.ids.id();
    const pipeline: FakePipeline = {
      id,
      projectId: project.id,
      ref: body.ref,
      variables: Object.fromEntries((body.variables ?? []).map((v) => [v.key, v.value])),
      status: 'created',
      webUrl: `${this.url}/${project.path}/-/pipelines/${id}`,
      updatedAt: nextUpdatedAt(),
    };
    this.pipelines.push(pipeline);
    sendJson(res, 201, {
      id,
      iid: id,
      project_id: project.id,
      ref: pipeline.ref,
      status: pipeline.status,
      source: 'api',
      web_url: pipeline.webUrl,
    });
    this.scheduleCompletion(pipeline);
  }

  /** `GET /projects/:id/pipelines?ref=&source=`: newest first, as GitLab lists them by default. */
  private listPipelines(call: RecordedCall, projectRef: string | undefined, res: ServerResponse): void {
    const project = this.findProject(projectRef, res);
    if (!project) return;
    const { ref, source } = call.query;
    const found = this.pipelines
      .filter((p) => p.projectId === project.id && (ref === undefined || p.ref === ref))
      .filter(() => source === undefined || source === 'api')
      .sort((a, b) => b.id - a.id)
      .slice(0, Number(call.query.per_page ?? 20));
    sendJson(
      res,
      200,
      found.map((p) => ({
        id: p.id,
        iid: p.id,
        project_id: project.id,
        ref: p.ref,
        status: p.status,
        source: 'api',
      })),
    );
  }

  /** `GET /projects/:id/pipelines/:pipeline_id` (and `/variables`): what reconciliation reads back. */
  private showPipeline(
    projectRef: string | undefined,
    id: string | undefined,
    variables: boolean,
    res: ServerResponse,
  ): void {
    const project = this.findProject(projectRef, res);
    if (!project) return;
    const pipeline = this.pipelines.find((p) => p.id === Number(id) && p.projectId === project.id);
    if (!pipeline) {
      sendJson(res, 404, { message: '404 Not found' });
      return;
    }
    if (variables) {
      sendJson(
        res,
        200,
        Object.entries(pipeline.variables).map(([key, value]) => ({ key, value, variable_type: 'env_var' })),
      );
      return;
    }
    sendJson(res, 200, {
      id: pipeline.id,
      iid: pipeline.id,
      project_id: project.id,
      ref: pipeline.ref,
      status: pipeline.status,
      source: 'api',
      updated_at: pipeline.updatedAt ?? nextUpdatedAt(),
      web_url: pipeline.webUrl,
    });
  }

  // ---- helpers --------------------------------------------------------------------------------

  private scheduleCompletion(pipeline: FakePipeline): void {
    const outcome = this.outcomeFor(pipeline);
    if (outcome === 'manual') return;
    pipeline.status = 'running';
    pipeline.updatedAt = nextUpdatedAt(pipeline.updatedAt);
    const delay = this.options.pipelineDelayMs ?? 0;
    this.background(
      new Promise((resolve) => setTimeout(resolve, delay)).then(() =>
        this.completePipeline(pipeline.id, outcome),
      ),
    );
  }

  private outcomeFor(pipeline: FakePipeline): PipelineOutcome {
    const key = [
      pipeline.projectId,
      pipeline.ref,
      pipeline.variables.SECREL_ACTION ?? '',
      pipeline.variables.SECREL_VERSION ?? '',
    ].join('|');
    const attempt = (this.pipelineAttempts.get(key) ?? 0) + 1;
    this.pipelineAttempts.set(key, attempt);
    const policy = this.options.autoCompletePipelines ?? 'manual';
    if (typeof policy === 'function') return policy(pipeline, attempt);
    if (typeof policy === 'object') return attempt <= policy.failFirst ? 'failed' : 'success';
    return policy;
  }

  /** Runs a webhook delivery without making the API answer wait for it, as GitLab does. */
  private background(work: Promise<unknown>): void {
    const tracked = work.catch(() => undefined).finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }

  private sendIssueHook(
    project: FakeProject,
    issue: FakeIssue,
    action: 'open' | 'close' | 'reopen' | 'update',
    changes: Record<string, { previous: unknown; current: unknown }>,
  ): Promise<WebhookDelivery | undefined> {
    if (!this.webhook) return Promise.resolve(undefined);
    return this.deliver(
      issueHook({
        project: this.hookProject(project),
        issue: { ...issue, labels: [...issue.labels] },
        action,
        changes,
        actor: this.actor('secrel-bot'),
        instanceUrl: this.url,
      }),
    );
  }

  private sendNoteHook(project: FakeProject, issue: FakeIssue, note: FakeNote): Promise<WebhookDelivery> {
    return this.deliver(
      issueNoteHook({
        project: this.hookProject(project),
        noteId: note.id,
        issueIid: issue.iid,
        issueId: issue.id,
        body: note.body,
        confidential: issue.confidential,
        issueTitle: issue.title,
        actor: this.actor(note.author),
        instanceUrl: this.url,
      }),
    );
  }

  private sendMergeRequestHook(
    project: FakeProject,
    mr: FakeMergeRequest,
    action: 'open' | 'merge',
    actor = 'secrel-bot',
  ): Promise<WebhookDelivery> {
    return this.deliver(
      mergeRequestHook({
        project: this.hookProject(project),
        mergeRequest: mr,
        action,
        actor: this.actor(actor),
        instanceUrl: this.url,
        at: mr.updatedAt,
      }),
    );
  }

  private sendPipelineHook(pipeline: FakePipeline): Promise<WebhookDelivery> {
    const project = this.requireProject(pipeline.projectId);
    return this.deliver(
      pipelineHook({
        project: this.hookProject(project),
        pipelineId: pipeline.id,
        ref: pipeline.ref,
        status: pipeline.status,
        variables: pipeline.variables,
        source: 'api',
        actor: this.actor('secrel-bot'),
        instanceUrl: this.url,
      }),
    );
  }

  private addIssue(
    project: FakeProject,
    fields: Pick<FakeIssue, 'title' | 'description' | 'confidential' | 'labels'>,
  ): FakeIssue {
    const iid = this.ids.iid(project.id, 'issue');
    const issue: FakeIssue = {
      id: this.ids.id(),
      projectId: project.id,
      iid,
      ...fields,
      state: 'opened',
      webUrl: `${this.url}/${project.path}/-/issues/${iid}`,
      links: [],
      updatedAt: nextUpdatedAt(),
    };
    this.issues.push(issue);
    return issue;
  }

  private addNote(project: FakeProject, issueIid: number, body: string, author: string): FakeNote {
    const note: FakeNote = { id: this.ids.id(), projectId: project.id, issueIid, body, author };
    this.notes.push(note);
    return note;
  }

  private addMergeRequest(
    project: FakeProject,
    fields: Pick<
      FakeMergeRequest,
      'sourceBranch' | 'targetBranch' | 'title' | 'description' | 'assigneeIds'
    > & {
      readonly author?: string;
    },
  ): FakeMergeRequest {
    const iid = this.ids.iid(project.id, 'merge_request');
    const mr: FakeMergeRequest = {
      id: this.ids.id(),
      projectId: project.id,
      iid,
      sourceBranch: fields.sourceBranch,
      targetBranch: fields.targetBranch,
      title: fields.title,
      description: fields.description,
      assigneeIds: fields.assigneeIds,
      state: 'opened',
      webUrl: `${this.url}/${project.path}/-/merge_requests/${iid}`,
      author: fields.author ?? 'secrel-bot',
      updatedAt: nextUpdatedAt(),
    };
    this.mergeRequests.push(mr);
    return mr;
  }

  private issueJson(issue: FakeIssue): Record<string, unknown> {
    return {
      id: issue.id,
      iid: issue.iid,
      project_id: issue.projectId,
      title: issue.title,
      description: issue.description,
      confidential: issue.confidential,
      labels: issue.labels,
      state: issue.state,
      web_url: issue.webUrl,
      updated_at: issue.updatedAt,
    };
  }

  private mergeRequestJson(mr: FakeMergeRequest): Record<string, unknown> {
    return {
      id: mr.id,
      iid: mr.iid,
      project_id: mr.projectId,
      source_branch: mr.sourceBranch,
      target_branch: mr.targetBranch,
      title: mr.title,
      description: mr.description,
      state: mr.state,
      assignees: mr.assigneeIds.map((id) => ({ id })),
      web_url: mr.webUrl,
      author: this.actor(mr.author),
      merged_by: mr.mergedBy === undefined ? null : this.actor(mr.mergedBy),
      updated_at: mr.updatedAt,
      draft: false,
      detailed_merge_status: mr.state === 'opened' ? 'mergeable' : 'not_open',
      blocking_discussions_resolved: true,
    };
  }

  private hookProject(project: FakeProject): HookProject {
    return { id: project.id, path: project.path, defaultBranch: project.defaultBranch };
  }

  private actor(username: string): { id: number; username: string } {
    return { id: this.userId(username) ?? 1, username };
  }

  private resetUsers(): void {
    this.userIds.clear();
    for (const [index, username] of (this.options.users ?? []).entries())
      this.userIds.set(username, 100 + index);
  }

  private requireProject(ref: number | string): FakeProject {
    const project = this.project(ref);
    if (!project) throw new Error(`fake GitLab has no project ${String(ref)}`);
    return project;
  }

  private requireIssue(project: FakeProject, iid: number): FakeIssue {
    const issue = this.issues.find((i) => i.projectId === project.id && i.iid === iid);
    if (!issue) throw new Error(`fake GitLab has no issue #${iid} in project ${project.id}`);
    return issue;
  }

  private findProject(encoded: string | undefined, res: ServerResponse): FakeProject | undefined {
    const project = encoded === undefined ? undefined : this.project(decodeURIComponent(encoded));
    if (!project) sendJson(res, 404, { message: '404 Project Not Found' });
    return project;
  }

  private findIssue(
    project: FakeProject,
    iid: string | undefined,
    res: ServerResponse,
  ): FakeIssue | undefined {
    const issue = this.issues.find((i) => i.projectId === project.id && String(i.iid) === iid);
    if (!issue) sendJson(res, 404, { message: '404 Issue Not Found' });
    return issue;
  }

  /** The project, issue and parsed body of a call on one issue; undefined once an error was answered. */
  private issueCall<S extends z.ZodType>(
    schema: S,
    call: RecordedCall,
    projectRef: string | undefined,
    iid: string | undefined,
    res: ServerResponse,
  ): { project: FakeProject; issue: FakeIssue; body: z.output<S> } | undefined {
    const project = this.findProject(projectRef, res);
    const issue = project && this.findIssue(project, iid, res);
    const body = issue && this.parse(schema, call.body, res);
    return project && issue && body ? { project, issue, body } : undefined;
  }

  private parse<S extends z.ZodType>(schema: S, body: unknown, res: ServerResponse): z.output<S> | undefined {
    const result = schema.safeParse(body);
    if (result.success) return result.data;
    // GitLab's form for a missing or bad parameter.
    const field = result.error.issues[0]?.path.join('.') || 'body';
    sendJson(res, 400, { error: `${field} is missing` });
    return undefined;
  }
}

/** Starts a fake GitLab on 127.0.0.1; call `close()` when done. */
export async function startFakeGitLab(options: FakeGitLabOptions = {}): Promise<FakeGitLab> {
  return new FakeGitLab(options).start();
}
