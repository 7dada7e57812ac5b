import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import * as z from 'zod';
import { type RecordedCall, sendEmpty, sendJson } from '../http.js';
import { FAKE_GITLAB_VERSION } from '../webhook-sender.js';
import type { FakeGitLab } from './fake-gitlab.js';
import { issueHook } from './hook-payloads.js';
import type { FakeProject } from './state.js';

/**
 * The fake GitLab's setup API, the part `secrel connect` uses: the token's user and scopes,
 * projects with the user's access, users with their state, branches and protected branches, and
 * project hooks (list, show, add, edit, delete, test). A test delivery is a real POST to the
 * hook's URL with GitLab's headers and the hook's secret, answered 201 when the receiver answered
 * 2xx and 422 otherwise, as GitLab does.
 */

/** The trigger fields a project hook has (GitLab's hooks API). */
export const FAKE_HOOK_TRIGGERS = [
  'push_events',
  'issues_events',
  'confidential_issues_events',
  'merge_requests_events',
  'tag_push_events',
  'note_events',
  'confidential_note_events',
  'job_events',
  'pipeline_events',
  'wiki_page_events',
  'deployment_events',
  'releases_events',
] as const;

type TriggerField = (typeof FAKE_HOOK_TRIGGERS)[number];

/** How the fake's setup side behaves. */
export interface FakeGitLabSetupOptions {
  /** Scopes of the fake's token (default `['api']`); without `api` every write is refused 403. */
  readonly tokenScopes?: readonly string[];
  /** `YYYY-MM-DD` or null (default). */
  readonly tokenExpiresAt?: string | null;
  /** The token's user (default `secrel-bot`). */
  readonly tokenUser?: string;
  /** The token user's access level, in every project or by project path (default 40, Maintainer). */
  readonly accessLevel?: number | Readonly<Record<string, number>>;
  /** Usernames that exist but are blocked. */
  readonly blockedUsers?: readonly string[];
  /** Branches by project path, besides the default branch and those created through the API. */
  readonly branches?: Readonly<Record<string, readonly string[]>>;
  /** Protected branch names (or wildcard rules) by project path; the default branch when absent. */
  readonly protectedBranches?: Readonly<Record<string, readonly string[]>>;
}

/** A project hook the fake keeps. GitLab never shows `token`; the fake keeps it to send it. */
export interface FakeHook {
  readonly id: number;
  readonly projectId: number;
  url: string;
  token: string | undefined;
  enableSslVerification: boolean;
  readonly triggers: Record<TriggerField, boolean>;
  readonly createdAt: string;
}

/** One test delivery the fake sent. */
export interface FakeTestDelivery {
  readonly hookId: number;
  readonly trigger: string;
  readonly event: string;
  readonly url: string;
  /** The receiver's status; 0 when it could not be reached. */
  readonly status: number;
  readonly responseBody: string;
}

type Route = (call: RecordedCall, params: readonly string[], res: ServerResponse) => void;

const triggerShape = Object.fromEntries(FAKE_HOOK_TRIGGERS.map((t) => [t, z.boolean().optional()])) as {
  [K in TriggerField]: z.ZodOptional<z.ZodBoolean>;
};
const hookBody = z.object({
  url: z.url(),
  token: z.string().optional(),
  enable_ssl_verification: z.boolean().optional(),
  ...triggerShape,
});
type HookBody = z.output<typeof hookBody>;

/** GitLab gives up on a receiver after this long. */
const DELIVERY_TIMEOUT_MS = 10_000;

/** The setup side of {@link FakeGitLab}; reach it as `gitlab.setup`. */
export class FakeGitLabSetup {
  /** Every project hook, in creation order. */
  readonly hooks: FakeHook[] = [];
  /** Every test delivery sent. */
  readonly testDeliveries: FakeTestDelivery[] = [];
  private nextHookId = 1;

  constructor(
    private readonly gitlab: FakeGitLab,
    private readonly options: FakeGitLabSetupOptions = {},
  ) {}

  /** The routes, for the fake's router (paths after `/api/v4/`). */
  routes(): [string, RegExp, Route][] {
    return [
      ['GET', /^user$/, (_, __, res) => this.currentUser(res)],
      ['GET', /^personal_access_tokens\/self$/, (_, __, res) => this.tokenSelf(res)],
      ['GET', /^projects\/([^/]+)$/, (_, [p], res) => this.showProject(p, res)],
      ['GET', /^projects\/([^/]+)\/protected_branches$/, (_, [p], res) => this.listProtected(p, res)],
      [
        'GET',
        /^projects\/([^/]+)\/repository\/branches$/,
        (call, [p], res) => this.listBranches(call, p, res),
      ],
      ['GET', /^projects\/([^/]+)\/hooks$/, (_, [p], res) => this.listHooks(p, res)],
      ['GET', /^projects\/([^/]+)\/hooks\/(\d+)$/, (_, [p, h], res) => this.showHook(p, h, res)],
      ['POST', /^projects\/([^/]+)\/hooks$/, (call, [p], res) => this.addHook(call, p, res)],
      ['PUT', /^projects\/([^/]+)\/hooks\/(\d+)$/, (call, [p, h], res) => this.editHook(call, p, h, res)],
      ['DELETE', /^projects\/([^/]+)\/hooks\/(\d+)$/, (_, [p, h], res) => this.deleteHook(p, h, res)],
      [
        'POST',
        /^projects\/([^/]+)\/hooks\/(\d+)\/test\/([a-z_]+)$/,
        (_, [p, h, t], res) => this.testHook(p, h, t, res),
      ],
    ];
  }

  /** The state GitLab reports for a username (`active` or `blocked`). */
  userState(username: string): 'active' | 'blocked' {
    const blocked = (this.options.blockedUsers ?? []).map((u) => u.toLowerCase());
    return blocked.includes(username.toLowerCase()) ? 'blocked' : 'active';
  }

  /** Adds a hook as a person would in the settings page (tests set up what secrel finds). */
  seedHook(input: {
    project: number | string;
    url: string;
    token?: string;
    triggers: readonly TriggerField[];
    enableSslVerification?: boolean;
  }): FakeHook {
    const project = this.gitlab.project(input.project);
    if (!project) throw new Error(`fake GitLab has no project ${String(input.project)}`);
    const triggers = Object.fromEntries(FAKE_HOOK_TRIGGERS.map((t) => [t, input.triggers.includes(t)]));
    const hook: FakeHook = {
      id: this.nextHookId++,
      projectId: project.id,
      url: input.url,
      token: input.token,
      enableSslVerification: input.enableSslVerification ?? true,
      triggers: triggers as Record<TriggerField, boolean>,
      createdAt: new Date().toISOString(),
    };
    this.hooks.push(hook);
    return hook;
  }

  /** Forgets hooks and test deliveries. */
  reset(): void {
    this.hooks.length = 0;
    this.testDeliveries.length = 0;
    this.nextHookId = 1;
  }

  // ---- routes ---------------------------------------------------------------------------------

  private get scopes(): readonly string[] {
    return this.options.tokenScopes ?? ['api'];
  }

  private currentUser(res: ServerResponse): void {
    const username = this.options.tokenUser ?? 'secrel-bot';
    sendJson(res, 200, {
      id: this.gitlab.userId(username) ?? 1,
      username,
      name: username,
      state: 'active',
      is_admin: false,
    });
  }

  private tokenSelf(res: ServerResponse): void {
    sendJson(res, 200, {
      id: 1,
      name: 'secrel',
      revoked: false,
      created_at: '2026-01-01T00:00:00.000Z',
      scopes: this.scopes,
      user_id: 1,
      last_used_at: new Date().toISOString(),
      active: true,
      expires_at: this.options.tokenExpiresAt ?? null,
    });
  }

  private showProject(ref: string | undefined, res: ServerResponse): void {
    const project = this.findProject(ref, res);
    if (!project) return;
    const level = this.accessLevel(project);
    sendJson(res, 200, {
      id: project.id,
      name: project.path.split('/').at(-1),
      path: project.path.split('/').at(-1),
      path_with_namespace: project.path,
      default_branch: project.defaultBranch,
      web_url: `${this.gitlab.url}/${project.path}`,
      visibility: 'private',
      permissions: { project_access: { access_level: level, notification_level: 3 }, group_access: null },
    });
  }

  private listProtected(ref: string | undefined, res: ServerResponse): void {
    const project = this.findProject(ref, res);
    if (!project) return;
    sendJson(
      res,
      200,
      this.protectedNames(project).map((name, index) => ({
        id: index + 1,
        name,
        push_access_levels: [{ access_level: 40, access_level_description: 'Maintainers' }],
        merge_access_levels: [{ access_level: 40, access_level_description: 'Maintainers' }],
        allow_force_push: false,
      })),
    );
  }

  private listBranches(call: RecordedCall, ref: string | undefined, res: ServerResponse): void {
    const project = this.findProject(ref, res);
    if (!project) return;
    const names = new Set([
      project.defaultBranch,
      ...(this.options.branches?.[project.path] ?? []),
      ...(this.options.protectedBranches?.[project.path] ?? []).filter((b) => !b.includes('*')),
      ...this.gitlab.branches.filter((b) => b.projectId === project.id).map((b) => b.name),
    ]);
    const { regex, search } = call.query;
    let matcher: RegExp | undefined;
    try {
      matcher = regex === undefined ? undefined : new RegExp(regex);
    } catch {
      sendJson(res, 400, { message: 'regex is invalid' });
      return;
    }
    const protectedNames = this.protectedNames(project);
    sendJson(
      res,
      200,
      [...names]
        .filter((name) => (matcher ? matcher.test(name) : true) && (search ? name.includes(search) : true))
        .map((name) => ({
          name,
          merged: false,
          protected: protectedNames.some((rule) => globMatches(rule, name)),
          default: name === project.defaultBranch,
          web_url: `${this.gitlab.url}/${project.path}/-/tree/${name}`,
          commit: { id: 'bcbb5ec396a2c0f828686f14fac9b80b780504f2' },
        })),
    );
  }

  private listHooks(ref: string | undefined, res: ServerResponse): void {
    const project = this.maintainerProject(ref, res, false);
    if (!project) return;
    sendJson(
      res,
      200,
      this.hooks.filter((h) => h.projectId === project.id).map((h) => this.hookJson(h)),
    );
  }

  private showHook(ref: string | undefined, hookId: string | undefined, res: ServerResponse): void {
    const found = this.findHook(ref, hookId, res, false);
    if (found) sendJson(res, 200, this.hookJson(found));
  }

  private addHook(call: RecordedCall, ref: string | undefined, res: ServerResponse): void {
    const project = this.maintainerProject(ref, res, true);
    const body = project && this.parse(call.body, res);
    if (!project || !body) return;
    // GitLab turns push events on unless told otherwise.
    const triggers = FAKE_HOOK_TRIGGERS.filter((t) => body[t] ?? t === 'push_events');
    const hook = this.seedHook({
      project: project.id,
      url: body.url,
      ...(body.token !== undefined ? { token: body.token } : {}),
      triggers,
      enableSslVerification: body.enable_ssl_verification ?? true,
    });
    sendJson(res, 201, this.hookJson(hook));
  }

  private editHook(
    call: RecordedCall,
    ref: string | undefined,
    hookId: string | undefined,
    res: ServerResponse,
  ): void {
    const hook = this.findHook(ref, hookId, res, true);
    const body = hook && this.parse(call.body, res);
    if (!hook || !body) return;
    // GitLab drops the secret when the URL changes without a new one, and keeps it otherwise.
    if (body.token !== undefined) hook.token = body.token === '' ? undefined : body.token;
    else if (body.url !== hook.url) hook.token = undefined;
    hook.url = body.url;
    if (body.enable_ssl_verification !== undefined) hook.enableSslVerification = body.enable_ssl_verification;
    for (const trigger of FAKE_HOOK_TRIGGERS) {
      const value = body[trigger];
      if (value !== undefined) hook.triggers[trigger] = value;
    }
    sendJson(res, 200, this.hookJson(hook));
  }

  private deleteHook(ref: string | undefined, hookId: string | undefined, res: ServerResponse): void {
    const hook = this.findHook(ref, hookId, res, true);
    if (!hook) return;
    this.hooks.splice(this.hooks.indexOf(hook), 1);
    sendEmpty(res, 204);
  }

  private testHook(
    ref: string | undefined,
    hookId: string | undefined,
    trigger: string | undefined,
    res: ServerResponse,
  ): void {
    const hook = this.findHook(ref, hookId, res, true);
    if (!hook) return;
    const project = this.gitlab.project(hook.projectId);
    const payload = project && this.testPayload(project, trigger ?? '');
    if (!project || !payload) {
      sendJson(res, 422, { message: `Ensure the project has data for ${trigger ?? 'this trigger'}.` });
      return;
    }
    void this.sendTest(hook, trigger ?? '', payload.event, payload.body).then(
      (delivery) => {
        if (delivery.status >= 200 && delivery.status < 300) sendJson(res, 201, { message: '201 Created' });
        else
          sendJson(res, 422, {
            message: delivery.responseBody || `Hook execution failed (${delivery.status})`,
          });
      },
      () => sendJson(res, 500, { message: 'fake failed to send the test delivery' }),
    );
  }

  // ---- helpers --------------------------------------------------------------------------------

  /** GitLab's test payloads are built from the project's latest data; the fake builds these. */
  private testPayload(
    project: FakeProject,
    trigger: string,
  ): { event: string; body: Record<string, unknown> } | undefined {
    const instance = this.gitlab.url;
    const projectJson = {
      id: project.id,
      name: project.path.split('/').at(-1),
      path_with_namespace: project.path,
      default_branch: project.defaultBranch,
      web_url: `${instance}/${project.path}`,
    };
    if (trigger === 'push_events') {
      const sha = 'bcbb5ec396a2c0f828686f14fac9b80b780504f2';
      return {
        event: 'Push Hook',
        body: {
          object_kind: 'push',
          event_name: 'push',
          before: '0000000000000000000000000000000000000000',
          after: sha,
          ref: `refs/heads/${project.defaultBranch}`,
          checkout_sha: sha,
          user_username: this.options.tokenUser ?? 'secrel-bot',
          project_id: project.id,
          project: projectJson,
          commits: [],
          total_commits_count: 0,
          repository: { name: projectJson.name, homepage: projectJson.web_url },
        },
      };
    }
    if (trigger === 'issues_events' || trigger === 'confidential_issues_events') {
      const confidential = trigger === 'confidential_issues_events';
      const issue = this.gitlab.issues.findLast(
        (i) => i.projectId === project.id && i.confidential === confidential,
      );
      if (!issue) return undefined;
      const hook = issueHook({
        project: { id: project.id, path: project.path, defaultBranch: project.defaultBranch },
        issue: { ...issue, labels: [...issue.labels] },
        action: 'update',
        instanceUrl: instance,
      });
      return { event: hook.event, body: { ...hook.payload } };
    }
    return undefined;
  }

  private async sendTest(
    hook: FakeHook,
    trigger: string,
    event: string,
    payload: Record<string, unknown>,
  ): Promise<FakeTestDelivery> {
    const uuid = randomUUID();
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      'User-Agent': `GitLab/${FAKE_GITLAB_VERSION}`,
      'X-Gitlab-Event': event,
      'X-Gitlab-Instance': this.gitlab.url,
      'X-Gitlab-Webhook-UUID': randomUUID(),
      'X-Gitlab-Event-UUID': uuid,
      'Idempotency-Key': uuid,
    };
    if (hook.token !== undefined) headers['X-Gitlab-Token'] = hook.token;
    let status = 0;
    let responseBody = '';
    try {
      const answer = await fetch(hook.url, {
        method: 'POST',
        headers,
        body: JSON.stringify(payload),
        signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
      });
      status = answer.status;
      responseBody = await answer.text();
    } catch (error) {
      responseBody = `Hook execution failed: ${error instanceof Error ? error.name : 'error'}`;
    }
    const delivery = { hookId: hook.id, trigger, event, url: hook.url, status, responseBody };
    this.testDeliveries.push(delivery);
    return delivery;
  }

  private accessLevel(project: FakeProject): number {
    const level = this.options.accessLevel;
    if (level === undefined) return 40;
    return typeof level === 'number' ? level : (level[project.path] ?? 40);
  }

  private protectedNames(project: FakeProject): string[] {
    return [...(this.options.protectedBranches?.[project.path] ?? [project.defaultBranch])];
  }

  private findProject(encoded: string | undefined, res: ServerResponse): FakeProject | undefined {
    const project = encoded === undefined ? undefined : this.gitlab.project(decodeURIComponent(encoded));
    if (!project) sendJson(res, 404, { message: '404 Project Not Found' });
    return project;
  }

  /** The project when the token's user may manage its hooks (and, for writes, has `api` scope). */
  private maintainerProject(
    encoded: string | undefined,
    res: ServerResponse,
    write: boolean,
  ): FakeProject | undefined {
    const project = this.findProject(encoded, res);
    if (!project) return undefined;
    if (write && !this.scopes.includes('api')) {
      sendJson(res, 403, {
        error: 'insufficient_scope',
        error_description: 'The request requires higher privileges than provided by the access token.',
        scope: 'api',
      });
      return undefined;
    }
    if (this.accessLevel(project) < 40) {
      sendJson(res, 403, { message: '403 Forbidden' });
      return undefined;
    }
    return project;
  }

  private findHook(
    encoded: string | undefined,
    hookId: string | undefined,
    res: ServerResponse,
    write: boolean,
  ): FakeHook | undefined {
    const project = this.maintainerProject(encoded, res, write);
    if (!project) return undefined;
    const hook = this.hooks.find((h) => h.projectId === project.id && String(h.id) === hookId);
    if (!hook) sendJson(res, 404, { message: '404 Not Found' });
    return hook;
  }

  private parse(body: unknown, res: ServerResponse): HookBody | undefined {
    const result = hookBody.safeParse(body);
    if (result.success) return result.data;
    const field = result.error.issues[0]?.path.join('.') || 'body';
    sendJson(res, 400, { error: `${field} is missing` });
    return undefined;
  }

  private hookJson(hook: FakeHook): Record<string, unknown> {
    return {
      id: hook.id,
      url: hook.url,
      name: null,
      description: null,
      project_id: hook.projectId,
      ...hook.triggers,
      push_events_branch_filter: '',
      enable_ssl_verification: hook.enableSslVerification,
      repository_update_events: false,
      alert_status: 'executable',
      created_at: hook.createdAt,
    };
  }
}

/** GitLab's protected-branch wildcard: `*` matches any run of characters. */
function globMatches(rule: string, name: string): boolean {
  const pattern = rule.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${pattern.join('.*')}$`).test(name);
}
