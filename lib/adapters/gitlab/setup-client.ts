import {
  Branches,
  PersonalAccessTokens,
  ProjectHooks,
  Projects,
  ProtectedBranches,
  Users,
} from '@gitbeaker/core';
import * as z from 'zod';
import { type HookTrigger, type ProjectHookView, SECREL_HOOK_TRIGGERS } from '../../core/setup/index.js';
import type { Redactions } from './error-mapping.js';
import { GitLabApiError } from './errors.js';
import { callGitLab, parseAnswer } from './gitlab-call.js';
import { requesterFn } from './requester.js';

/**
 * The GitLab calls `secrel connect` makes to check and set up a project (token, projects, users,
 * branches, project hooks), through gitbeaker's resource classes like {@link GitLabClient}.
 * It fits `GitLabSetupApi` in `lib/ports.ts`. Neither the API token nor the
 * webhook secret ever reaches an error message.
 */

/** How to reach GitLab for setup calls. */
export interface GitLabSetupClientOptions {
  /** GitLab's base URL, e.g. `https://gitlab.com` (no `/api/v4`). */
  readonly host: string;
  readonly token: string;
  /** Per-request timeout in ms (default 20 s). */
  readonly timeoutMs?: number;
}

const currentUser = z.object({ username: z.string(), is_admin: z.boolean().optional() });
const tokenSelf = z.object({
  scopes: z.array(z.string()),
  active: z.boolean().default(true),
  revoked: z.boolean().default(false),
  expires_at: z.string().nullable().default(null),
});
const accessOf = z.object({ access_level: z.number().int() }).nullable().optional();
const project = z.object({
  id: z.number().int(),
  path_with_namespace: z.string(),
  default_branch: z.string().nullable().optional(),
  permissions: z.object({ project_access: accessOf, group_access: accessOf }).optional(),
});
const users = z.array(
  z.object({ id: z.number().int(), username: z.string(), state: z.string().default('active') }),
);
const named = z.array(z.object({ name: z.string() }));
const hook = z.object({
  id: z.number().int(),
  url: z.string(),
  enable_ssl_verification: z.boolean().default(true),
  ...Object.fromEntries(SECREL_HOOK_TRIGGERS.map((t) => [t, z.boolean().default(false)])),
});
const hooks = z.array(hook);

/** gitbeaker's hook options (camelCase; gitbeaker sends them in GitLab's snake_case). */
const HOOK_OPTION: Readonly<Record<HookTrigger, string>> = {
  issues_events: 'issuesEvents',
  confidential_issues_events: 'confidentialIssuesEvents',
  merge_requests_events: 'mergeRequestsEvents',
  pipeline_events: 'pipelineEvents',
  note_events: 'noteEvents',
  confidential_note_events: 'confidentialNoteEvents',
  deployment_events: 'deploymentEvents',
  releases_events: 'releasesEvents',
  tag_push_events: 'tagPushEvents',
};

/** The GitLab side of `secrel connect`. */
export class GitLabSetupClient {
  private readonly apiToken: string;
  private readonly timeoutMs: number;
  private readonly api: {
    readonly users: InstanceType<typeof Users>;
    readonly tokens: InstanceType<typeof PersonalAccessTokens>;
    readonly projects: InstanceType<typeof Projects>;
    readonly protectedBranches: InstanceType<typeof ProtectedBranches>;
    readonly branches: InstanceType<typeof Branches>;
    readonly hooks: InstanceType<typeof ProjectHooks>;
  };

  constructor(options: GitLabSetupClientOptions) {
    this.apiToken = options.token;
    this.timeoutMs = options.timeoutMs ?? 20_000;
    const settings = {
      host: options.host.replace(/\/+$/, ''),
      token: options.token,
      queryTimeout: this.timeoutMs,
      requesterFn,
    };
    this.api = {
      users: new Users(settings),
      tokens: new PersonalAccessTokens(settings),
      projects: new Projects(settings),
      protectedBranches: new ProtectedBranches(settings),
      branches: new Branches(settings),
      hooks: new ProjectHooks(settings),
    };
  }

  /** The token's user. */
  async currentUser(): Promise<{ username: string; isAdmin: boolean }> {
    const body = parseAnswer(
      'currentUser',
      currentUser,
      await this.call('currentUser', [], () => this.api.users.showCurrentUser()),
    );
    return { username: body.username, isAdmin: body.is_admin ?? false };
  }

  /** The token's scopes and state; undefined when GitLab has no such answer for this kind of token. */
  async token(): Promise<{ scopes: string[]; active: boolean; expiresAt: string | null } | undefined> {
    const body = await this.orUndefined('token', () => this.api.tokens.show());
    if (body === undefined) return undefined;
    const parsed = parseAnswer('token', tokenSelf, body);
    return { scopes: parsed.scopes, active: parsed.active && !parsed.revoked, expiresAt: parsed.expires_at };
  }

  /** A project with the token user's access level; undefined when GitLab answers 404. */
  async project(
    ref: number | string,
  ): Promise<
    { id: number; path: string; defaultBranch: string | null; accessLevel: number | undefined } | undefined
  > {
    const body = await this.orUndefined('project', () => this.api.projects.show(ref));
    if (body === undefined) return undefined;
    const parsed = parseAnswer('project', project, body);
    const levels = [parsed.permissions?.project_access, parsed.permissions?.group_access]
      .map((a) => a?.access_level)
      .filter((l): l is number => l !== undefined);
    return {
      id: parsed.id,
      path: parsed.path_with_namespace,
      defaultBranch: parsed.default_branch ?? null,
      accessLevel: levels.length > 0 ? Math.max(...levels) : undefined,
    };
  }

  /** A user by username (case-insensitive, as GitLab matches it). */
  async user(username: string): Promise<{ id: number; username: string; state: string } | undefined> {
    const body = await this.call('user', [], () => this.api.users.all({ username }));
    return parseAnswer('user', users, body).find((u) => u.username.toLowerCase() === username.toLowerCase());
  }

  /** Names of the protected branches (wildcard rules as written). */
  async protectedBranches(ref: number | string): Promise<string[]> {
    const body = await this.call('protectedBranches', [], () => this.api.protectedBranches.all(ref));
    return parseAnswer('protectedBranches', named, body).map((b) => b.name);
  }

  /** Branches matching a regular expression (GitLab's `regex` filter, RE2 syntax). */
  async branchesMatching(ref: number | string, pattern: string): Promise<string[]> {
    // `regex` is a documented filter gitbeaker's typed options do not list yet.
    const options = { regex: pattern } as Parameters<typeof this.api.branches.all>[1];
    const body = await this.call('branches', [], () => this.api.branches.all(ref, options));
    return parseAnswer('branches', named, body).map((b) => b.name);
  }

  /** The project's hooks. */
  async hooks(ref: number | string): Promise<ProjectHookView[]> {
    const body = await this.call('hooks', [], () => this.api.hooks.all(ref));
    return parseAnswer('hooks', hooks, body).map(toView);
  }

  /** Adds secrel's hook. */
  async addHook(
    ref: number | string,
    desired: { url: string; enableSslVerification: boolean; secret: string },
  ): Promise<ProjectHookView> {
    const body = await this.call('addHook', [desired.secret], () =>
      this.api.hooks.add(ref, desired.url, hookOptions(desired)),
    );
    return toView(parseAnswer('addHook', hook, body));
  }

  /** Sets a hook's URL, secret, triggers and SSL verification. */
  async editHook(
    ref: number | string,
    hookId: number,
    desired: { url: string; enableSslVerification: boolean; secret: string },
  ): Promise<ProjectHookView> {
    const body = await this.call('editHook', [desired.secret], () =>
      this.api.hooks.edit(ref, hookId, desired.url, hookOptions(desired)),
    );
    return toView(parseAnswer('editHook', hook, body));
  }

  /**
   * Asks GitLab to send a test delivery (`POST /projects/:id/hooks/:hook_id/test/:trigger`).
   * GitLab answers 201 when the receiver answered 2xx and 422 with its account otherwise.
   */
  async testHook(
    ref: number | string,
    hookId: number,
    trigger: string,
  ): Promise<{ received: boolean; detail: string }> {
    const path = `${encodeURIComponent(String(ref))}/hooks/${hookId}/test/${encodeURIComponent(trigger)}`;
    try {
      await this.call('testHook', [], () =>
        this.api.hooks.requester.post(path, { signal: AbortSignal.timeout(this.timeoutMs) }),
      );
      return { received: true, detail: 'received' };
    } catch (error) {
      if (error instanceof GitLabApiError && error.status === 422) {
        // GitLab's 422 carries the receiver's answer (or the delivery error) as its message.
        const account = /\((.*)\)$/.exec(error.message)?.[1];
        return {
          received: false,
          detail: account ? `GitLab reports: ${account}` : 'GitLab reports a failed delivery',
        };
      }
      throw error;
    }
  }

  private async orUndefined<T>(operation: string, run: () => Promise<T>): Promise<T | undefined> {
    try {
      return await this.call(operation, [], run);
    } catch (error) {
      if (error instanceof GitLabApiError && error.status === 404) return undefined;
      throw error;
    }
  }

  private async call<T>(operation: string, sent: Redactions, run: () => Promise<T>): Promise<T> {
    return callGitLab(operation, [this.apiToken, ...sent], run);
  }
}

function hookOptions(desired: { enableSslVerification: boolean; secret: string }): Record<string, unknown> {
  return {
    token: desired.secret,
    enableSslVerification: desired.enableSslVerification,
    // secrel reads no pushes; a hook it owns sends only what it reads.
    pushEvents: false,
    ...Object.fromEntries(SECREL_HOOK_TRIGGERS.map((t) => [HOOK_OPTION[t], true])),
  };
}

function toView(parsed: z.output<typeof hook>): ProjectHookView {
  const record = parsed as unknown as Readonly<Record<string, unknown>>;
  return {
    id: parsed.id,
    url: parsed.url,
    enableSslVerification: parsed.enable_ssl_verification,
    triggers: SECREL_HOOK_TRIGGERS.filter((t) => record[t] === true),
  };
}
