import type { ServerResponse } from 'node:http';
import { type RecordedCall, sendEmpty, sendJson } from '../http.js';
import { type FakeTestDelivery, sendTestDelivery, testPayload } from './hook-test-delivery.js';
import { FAKE_HOOK_TRIGGERS, type FakeHook, hookBody, hookJson, type TriggerField } from './project-hooks.js';
import { findProject, parseBody, type RouteEntry } from './route-helpers.js';
import type { FakeGitLabState, FakeProject } from './state.js';

/**
 * The fake GitLab's setup API, the part `secrel connect` uses: the token's user and scopes,
 * projects with the user's access, users with their state, branches and protected branches, and
 * project hooks (list, show, add, edit, delete, test). A test delivery is a real POST to the
 * hook's URL with GitLab's headers and the hook's secret, answered 201 when the receiver answered
 * 2xx and 422 otherwise, as GitLab does.
 */

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

/** The setup side of {@link FakeGitLab}; reach it as `gitlab.setup`. */
export class FakeGitLabSetup {
  /** Every project hook, in creation order. */
  readonly hooks: FakeHook[] = [];
  /** Every test delivery sent. */
  readonly testDeliveries: FakeTestDelivery[] = [];
  private nextHookId = 1;

  constructor(
    private readonly state: FakeGitLabState,
    private readonly options: FakeGitLabSetupOptions = {},
  ) {}

  /** The routes, for the fake's router (paths after `/api/v4/`). */
  routes(): RouteEntry[] {
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
    const project = this.state.project(input.project);
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

  private get tokenUser(): string {
    return this.options.tokenUser ?? 'secrel-bot';
  }

  private get scopes(): readonly string[] {
    return this.options.tokenScopes ?? ['api'];
  }

  private currentUser(res: ServerResponse): void {
    const username = this.tokenUser;
    sendJson(res, 200, {
      id: this.state.userId(username) ?? 1,
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
    const project = findProject(this.state, ref, res);
    if (!project) return;
    const level = this.accessLevel(project);
    sendJson(res, 200, {
      id: project.id,
      name: project.path.split('/').at(-1),
      path: project.path.split('/').at(-1),
      path_with_namespace: project.path,
      default_branch: project.defaultBranch,
      web_url: `${this.state.url}/${project.path}`,
      visibility: 'private',
      permissions: { project_access: { access_level: level, notification_level: 3 }, group_access: null },
    });
  }

  private listProtected(ref: string | undefined, res: ServerResponse): void {
    const project = findProject(this.state, ref, res);
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
    const project = findProject(this.state, ref, res);
    if (!project) return;
    const names = new Set([
      project.defaultBranch,
      ...(this.options.branches?.[project.path] ?? []),
      ...(this.options.protectedBranches?.[project.path] ?? []).filter((b) => !b.includes('*')),
      ...this.state.branches.filter((b) => b.projectId === project.id).map((b) => b.name),
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
          web_url: `${this.state.url}/${project.path}/-/tree/${name}`,
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
      this.hooks.filter((h) => h.projectId === project.id).map((h) => hookJson(h)),
    );
  }

  private showHook(ref: string | undefined, hookId: string | undefined, res: ServerResponse): void {
    const found = this.findHook(ref, hookId, res, false);
    if (found) sendJson(res, 200, hookJson(found));
  }

  private addHook(call: RecordedCall, ref: string | undefined, res: ServerResponse): void {
    const project = this.maintainerProject(ref, res, true);
    const body = project && parseBody(hookBody, call.body, res);
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
    sendJson(res, 201, hookJson(hook));
  }

  private editHook(
    call: RecordedCall,
    ref: string | undefined,
    hookId: string | undefined,
    res: ServerResponse,
  ): void {
    const hook = this.findHook(ref, hookId, res, true);
    const body = hook && parseBody(hookBody, call.body, res);
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
    sendJson(res, 200, hookJson(hook));
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
    const project = this.state.project(hook.projectId);
    const payload = project && testPayload(this.state, project, trigger ?? '', this.tokenUser);
    if (!project || !payload) {
      sendJson(res, 422, { message: `Ensure the project has data for ${trigger ?? 'this trigger'}.` });
      return;
    }
    void sendTestDelivery(hook, trigger ?? '', payload, this.state.url).then(
      (delivery) => {
        this.testDeliveries.push(delivery);
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

  private accessLevel(project: FakeProject): number {
    const level = this.options.accessLevel;
    if (level === undefined) return 40;
    return typeof level === 'number' ? level : (level[project.path] ?? 40);
  }

  private protectedNames(project: FakeProject): string[] {
    return [...(this.options.protectedBranches?.[project.path] ?? [project.defaultBranch])];
  }

  /** The project when the token's user may manage its hooks (and, for writes, has `api` scope). */
  private maintainerProject(
    encoded: string | undefined,
    res: ServerResponse,
    write: boolean,
  ): FakeProject | undefined {
    const project = findProject(this.state, encoded, res);
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
}

/** GitLab's protected-branch wildcard: `*` matches any run of characters. */
function globMatches(rule: string, name: string): boolean {
  const pattern = rule.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${pattern.join('.*')}$`).test(name);
}
