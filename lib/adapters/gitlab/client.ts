import {
  Branches,
  IssueLinks,
  IssueNotes,
  Issues,
  MergeRequestNotes,
  MergeRequests,
  Pipelines,
  Users,
} from '@gitbeaker/core';
import * as z from 'zod';
import type { GitLabApi, GitLabIssue, GitLabMergeRequest, GitLabPipeline } from '../../ports.js';
import type { Redactions } from './error-mapping.js';
import { GitLabApiError } from './errors.js';
import { callGitLab, parseAnswer } from './gitlab-call.js';
import { requesterFn } from './requester.js';

/** How to reach GitLab. */
export interface GitLabClientOptions {
  /** GitLab's base URL, e.g. `https://gitlab.com` (no `/api/v4`). */
  readonly host: string;
  /** A token with `api` scope, sent as `PRIVATE-TOKEN`. */
  readonly token: string;
  /** Per-request timeout in ms (default 20 s: an action Lambda must finish well inside its own limit). */
  readonly timeoutMs?: number;
}

const created = z.object({ iid: z.number().int(), web_url: z.string() });
// project_id is GitLab's numeric id for the project however it was named (a path in config).
const createdPipeline = z.object({
  id: z.number().int(),
  web_url: z.string(),
  project_id: z.number().int().positive().optional(),
});
const shownPipeline = z.object({
  id: z.number().int(),
  project_id: z.number().int(),
  ref: z.string(),
  status: z.string(),
  source: z.string().nullish(),
  updated_at: z.string(),
  web_url: z.string(),
});
const listedPipelines = z.array(z.object({ id: z.number().int(), project_id: z.number().int() }));
const pipelineVariables = z.array(z.object({ key: z.string(), value: z.string().nullish() }));
const createdNote = z.object({ id: z.number().int() });
const users = z.array(z.object({ id: z.number().int(), username: z.string() }));
const mergeRequests = z.array(created);
const shownIssue = z.object({
  description: z.string().nullish(),
  updated_at: z.string(),
  state: z.enum(['opened', 'closed']),
  confidential: z.boolean(),
  web_url: z.string(),
});
const username = z.object({ username: z.string() });
const shownMergeRequest = z.object({
  iid: z.number().int(),
  project_id: z.number().int(),
  state: z.enum(['opened', 'closed', 'merged', 'locked']),
  title: z.string(),
  description: z.string().nullish(),
  source_branch: z.string(),
  target_branch: z.string(),
  web_url: z.string(),
  updated_at: z.string(),
  author: username,
  merged_by: username.nullish(),
  draft: z.boolean().optional(),
  detailed_merge_status: z.string().optional(),
  blocking_discussions_resolved: z.boolean().optional(),
  assignees: z.array(z.object({ username: z.string().optional() })).optional(),
});

type Resources = {
  readonly issues: InstanceType<typeof Issues>;
  readonly notes: InstanceType<typeof IssueNotes>;
  readonly mergeRequestNotes: InstanceType<typeof MergeRequestNotes>;
  readonly links: InstanceType<typeof IssueLinks>;
  readonly branches: InstanceType<typeof Branches>;
  readonly mergeRequests: InstanceType<typeof MergeRequests>;
  readonly pipelines: InstanceType<typeof Pipelines>;
  readonly users: InstanceType<typeof Users>;
};

/**
 * secrel's calls to GitLab through gitbeaker's resource classes (see `requester.ts` for why not
 * the `@gitbeaker/rest` bundle). Every failure becomes a {@link GitLabApiError}
 * saying whether a retry may help. Calls whose effect already exists (a branch, a link, an open
 * MR for the same branches) count as done, so a retried action does not fail on its own
 * earlier success.
 */
export class GitLabClient implements GitLabApi {
  private readonly api: Resources;
  private readonly token: string;
  /** Username → user id; usernames are resolved once per client. */
  private readonly userIds = new Map<string, number>();

  constructor(options: GitLabClientOptions) {
    const settings = {
      host: options.host.replace(/\/+$/, ''),
      token: options.token,
      queryTimeout: options.timeoutMs ?? 20_000,
      requesterFn,
    };
    this.token = options.token;
    this.api = {
      issues: new Issues(settings),
      notes: new IssueNotes(settings),
      mergeRequestNotes: new MergeRequestNotes(settings),
      links: new IssueLinks(settings),
      branches: new Branches(settings),
      mergeRequests: new MergeRequests(settings),
      pipelines: new Pipelines(settings),
      users: new Users(settings),
    };
  }

  /** Creates an issue (the release issue, the mitigation issue, lessons learned). */
  async createIssue(
    project: number | string,
    issue: { title: string; description: string; confidential: boolean; labels?: readonly string[] },
  ): Promise<{ iid: number; url: string }> {
    const body = await this.call('createIssue', [issue.title, issue.description], () =>
      this.api.issues.create(project, issue.title, {
        description: issue.description,
        confidential: issue.confidential,
        ...(issue.labels && issue.labels.length > 0 ? { labels: issue.labels.join(',') } : {}),
      }),
    );
    const { iid, web_url } = parseAnswer('createIssue', created, body);
    return { iid, url: web_url };
  }

  /** Reads an issue: its description and when it last changed (living description), its state (reconciliation). */
  async getIssue(project: number | string, iid: number): Promise<GitLabIssue> {
    const body = await this.call('getIssue', [], () => this.api.issues.show(iid, { projectId: project }));
    const issue = parseAnswer('getIssue', shownIssue, body);
    return {
      description: issue.description ?? '',
      updatedAt: issue.updated_at,
      state: issue.state,
      confidential: issue.confidential,
      url: issue.web_url,
    };
  }

  /** Reads a merge request as it is now (`GET …/merge_requests/:iid`), for reconciliation. */
  async getMergeRequest(project: number | string, iid: number): Promise<GitLabMergeRequest> {
    const body = await this.call('getMergeRequest', [], () => this.api.mergeRequests.show(project, iid));
    const mr = parseAnswer('getMergeRequest', shownMergeRequest, body);
    const assignees = mr.assignees?.flatMap((a) => (a.username === undefined ? [] : [a.username]));
    return {
      projectId: mr.project_id,
      iid: mr.iid,
      state: mr.state,
      title: mr.title,
      description: mr.description ?? '',
      sourceBranch: mr.source_branch,
      targetBranch: mr.target_branch,
      url: mr.web_url,
      updatedAt: mr.updated_at,
      author: mr.author.username,
      mergedBy: mr.merged_by?.username,
      readiness: {
        ...(mr.draft === undefined ? {} : { draft: mr.draft }),
        ...(mr.detailed_merge_status === undefined ? {} : { detailedMergeStatus: mr.detailed_merge_status }),
        ...(mr.blocking_discussions_resolved === undefined
          ? {}
          : { blockingDiscussionsResolved: mr.blocking_discussions_resolved }),
        ...(assignees === undefined ? {} : { assignees }),
      },
    };
  }

  /** Lifts confidentiality, closes/reopens an issue, or rewrites its description. */
  async editIssue(
    project: number | string,
    iid: number,
    change: { confidential?: boolean; stateEvent?: 'close' | 'reopen'; description?: string },
  ): Promise<void> {
    if (
      change.confidential === undefined &&
      change.stateEvent === undefined &&
      change.description === undefined
    )
      return;
    await this.call('editIssue', change.description === undefined ? [] : [change.description], () =>
      this.api.issues.edit(project, iid, {
        ...(change.confidential !== undefined ? { confidential: change.confidential } : {}),
        ...(change.stateEvent !== undefined ? { stateEvent: change.stateEvent } : {}),
        ...(change.description !== undefined ? { description: change.description } : {}),
      }),
    );
  }

  /** Comments on an issue (owner mentions, ChatOps replies, thanks). */
  async createIssueNote(project: number | string, iid: number, body: string): Promise<{ id: number }> {
    const note = await this.call('createIssueNote', [body], () => this.api.notes.create(project, iid, body));
    return { id: parseAnswer('createIssueNote', createdNote, note).id };
  }

  /** Comments on a merge request (readiness nudges to its author and assignees). */
  async createMergeRequestNote(project: number | string, iid: number, body: string): Promise<{ id: number }> {
    const note = await this.call('createMergeRequestNote', [body], () =>
      this.api.mergeRequestNotes.create(project, iid, body),
    );
    return { id: parseAnswer('createMergeRequestNote', createdNote, note).id };
  }

  /** Links two issues; an existing link counts as done. */
  async linkIssues(
    project: number | string,
    iid: number,
    targetProject: number | string,
    targetIid: number,
  ): Promise<void> {
    try {
      await this.call('linkIssues', [], () => this.api.links.create(project, iid, targetProject, targetIid));
    } catch (error) {
      // GitLab answers 409 "Issue(s) already assigned" when the link exists.
      if (error instanceof GitLabApiError && error.status === 409) return;
      throw error;
    }
  }

  /** Creates a branch from a ref; an existing branch of that name counts as done. */
  async createBranch(project: number | string, branch: string, ref: string): Promise<void> {
    try {
      await this.call('createBranch', [], () => this.api.branches.create(project, branch, ref));
    } catch (error) {
      // GitLab answers 400 "Branch already exists".
      if (error instanceof GitLabApiError && error.status === 400 && /already exists/i.test(error.message))
        return;
      throw error;
    }
  }

  /**
   * Opens a merge request assigned to the given usernames. When an open MR for the same
   * branches exists (GitLab answers 409), that one is returned.
   */
  async createMergeRequest(
    project: number | string,
    mr: {
      sourceBranch: string;
      targetBranch: string;
      title: string;
      description: string;
      assignees: readonly string[];
    },
  ): Promise<{ iid: number; url: string }> {
    const assigneeIds = await this.resolveUsers(mr.assignees);
    try {
      const body = await this.call('createMergeRequest', [mr.title, mr.description], () =>
        this.api.mergeRequests.create(project, mr.sourceBranch, mr.targetBranch, mr.title, {
          description: mr.description,
          ...(assigneeIds.length > 0 ? { assigneeIds } : {}),
        }),
      );
      const { iid, web_url } = parseAnswer('createMergeRequest', created, body);
      return { iid, url: web_url };
    } catch (error) {
      if (!(error instanceof GitLabApiError && error.status === 409)) throw error;
      const existing = await this.openMergeRequest(project, mr.sourceBranch, mr.targetBranch);
      if (!existing) throw error;
      return existing;
    }
  }

  /** Starts a pipeline on a ref with CI variables (secrel tags its pipelines with `SECREL_*`). */
  async createPipeline(
    project: number | string,
    ref: string,
    variables: Readonly<Record<string, string>>,
  ): Promise<{ id: number; url: string; projectId?: number }> {
    const body = await this.call('createPipeline', [], () =>
      this.api.pipelines.create(project, ref, {
        variables: Object.entries(variables).map(([key, value]) => ({ key, value })),
      }),
    );
    const { id, web_url, project_id } = parseAnswer('createPipeline', createdPipeline, body);
    return { id, url: web_url, ...(project_id === undefined ? {} : { projectId: project_id }) };
  }

  /** A pipeline and its `SECREL_…` variables (`GET …/pipelines/:id` and `…/variables`). */
  async getPipeline(project: number | string, pipelineId: number): Promise<GitLabPipeline> {
    const [shown, variables] = await Promise.all([
      this.call('getPipeline', [], () => this.api.pipelines.show(project, pipelineId)),
      this.secrelVariables('getPipeline', project, pipelineId),
    ]);
    const pipeline = parseAnswer('getPipeline', shownPipeline, shown);
    return {
      id: pipeline.id,
      projectId: pipeline.project_id,
      projectPath: projectPathOf(pipeline.web_url),
      ref: pipeline.ref,
      status: pipeline.status,
      source: pipeline.source ?? undefined,
      updatedAt: pipeline.updated_at,
      variables,
    };
  }

  /**
   * Looks through the newest API pipelines on `ref` (one page: a start cut off minutes ago is among
   * them) for the one carrying these `SECREL_…` variables.
   */
  async findPipeline(
    project: number | string,
    ref: string,
    variables: Readonly<Record<string, string>>,
  ): Promise<{ id: number; projectId: number } | undefined> {
    const body = await this.call('findPipeline', [], () =>
      this.api.pipelines.all(project, { ref, source: 'api', orderBy: 'id', sort: 'desc', perPage: 20 }),
    );
    const wanted = Object.entries(variables).filter(([key]) => key.startsWith('SECREL_'));
    for (const candidate of parseAnswer('findPipeline', listedPipelines, body)) {
      // The list names id and project; only the variables need asking, one candidate at a time.
      const found = await this.secrelVariables('findPipeline', project, candidate.id);
      if (wanted.every(([key, value]) => found[key] === value)) {
        return { id: candidate.id, projectId: candidate.project_id };
      }
    }
    return undefined;
  }

  /**
   * A pipeline's `SECREL_…` variables (`GET …/pipelines/:id/variables`); the others may hold
   * tokens and are never kept.
   */
  private async secrelVariables(
    operation: string,
    project: number | string,
    pipelineId: number,
  ): Promise<Record<string, string>> {
    const answer = await this.call(operation, [], () => this.api.pipelines.allVariables(project, pipelineId));
    const kept: Record<string, string> = {};
    for (const { key, value } of parseAnswer(operation, pipelineVariables, answer)) {
      if (key.startsWith('SECREL_') && typeof value === 'string') kept[key] = value;
    }
    return kept;
  }

  private async openMergeRequest(
    project: number | string,
    sourceBranch: string,
    targetBranch: string,
  ): Promise<{ iid: number; url: string } | undefined> {
    const body = await this.call('createMergeRequest', [], () =>
      this.api.mergeRequests.all({ projectId: project, sourceBranch, targetBranch, state: 'opened' }),
    );
    const found = parseAnswer('createMergeRequest', mergeRequests, body)[0];
    return found && { iid: found.iid, url: found.web_url };
  }

  /** Usernames → ids, through `GET /users?username=`; an unknown username is a permanent error. */
  private async resolveUsers(usernames: readonly string[]): Promise<number[]> {
    const ids: number[] = [];
    for (const username of usernames) {
      let id = this.userIds.get(username);
      if (id === undefined) {
        const body = await this.call('resolveUser', [], () => this.api.users.all({ username }));
        const match = parseAnswer('resolveUser', users, body).find(
          (user) => user.username.toLowerCase() === username.toLowerCase(),
        );
        if (!match) throw new GitLabApiError('resolveUser', 404, false, `no GitLab user named ${username}`);
        id = match.id;
        this.userIds.set(username, id);
      }
      ids.push(id);
    }
    return ids;
  }

  /** Runs one gitbeaker call and maps its failure; `sent` lists text that must stay out of messages. */
  private async call<T>(operation: string, sent: Redactions, run: () => Promise<T>): Promise<T> {
    return callGitLab(operation, [this.token, ...sent], run);
  }
}

/** `group/project` from `https://host/group/project/-/pipelines/12`; empty when the URL has no such shape. */
function projectPathOf(webUrl: string): string {
  try {
    const path = new URL(webUrl).pathname;
    const end = path.indexOf('/-/');
    return end > 0 ? decodeURIComponent(path.slice(1, end)) : '';
  } catch {
    return '';
  }
}
