import type { ServerResponse } from 'node:http';
import type * as z from 'zod';
import { type RecordedCall, sendJson } from '../http.js';
import {
  branchBody,
  issueCreateBody,
  issueEditBody,
  issueJson,
  linkBody,
  mergeRequestBody,
  mergeRequestJson,
  noteBody,
} from './api-shapes.js';
import type { FakeGitLabHooks } from './hooks.js';
import { FakeGitLabPipelineRoutes } from './pipeline-routes.js';
import type { PipelineScheduler } from './pipeline-scheduler.js';
import { findProject, parseBody, type RouteEntry } from './route-helpers.js';
import {
  type FakeGitLabState,
  type FakeIssue,
  type FakeNote,
  type FakeProject,
  nextUpdatedAt,
} from './state.js';

/**
 * The fake GitLab's REST API v4, the routes secrel's GitLab client uses in a release: users,
 * issues (create, show, edit, comment, link), branches, merge requests (list, create, comment)
 * (pipelines are in pipeline-routes.ts). Answers in GitLab's shapes and errors; the setup API
 * `secrel connect` uses is in setup-routes.ts.
 */

/** What the API does besides answering. */
export interface FakeGitLabApiOptions {
  /** Send Issue Hooks when issues are created or edited through the API. */
  readonly issueHooks?: boolean;
  /** Send Note Hooks when comments are created through the API. */
  readonly noteHooks?: boolean;
  /** Send Merge Request Hooks when MRs are created through the API. */
  readonly mergeRequestHooks?: boolean;
  /** The state GitLab reports for a username (`active` or `blocked`). */
  readonly userState: (username: string) => 'active' | 'blocked';
  /** Called after each issue is read through the API. */
  readonly afterIssueRead: (issue: FakeIssue) => void;
}

/** The release routes of the fake GitLab's API; {@link FakeGitLab} routes calls to them. */
export class FakeGitLabApi {
  constructor(
    private readonly state: FakeGitLabState,
    private readonly hooks: FakeGitLabHooks,
    scheduler: PipelineScheduler,
    private readonly options: FakeGitLabApiOptions,
  ) {
    this.pipelines = new FakeGitLabPipelineRoutes(state, scheduler);
  }

  private readonly pipelines: FakeGitLabPipelineRoutes;

  /** The routes, for the fake's router (paths after `/api/v4/`). */
  routes(): RouteEntry[] {
    return [
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
      ...this.pipelines.routes(),
      [
        'POST',
        /^projects\/([^/]+)\/merge_requests\/(\d+)\/notes$/,
        (call, [p, iid], res) => this.createMergeRequestNote(call, p, iid, res),
      ],
    ];
  }

  private listUsers(call: RecordedCall, res: ServerResponse): void {
    const username = call.query.username;
    const id = username === undefined ? undefined : this.state.userId(username);
    sendJson(
      res,
      200,
      id === undefined
        ? []
        : [{ id, username, name: username, state: this.options.userState(username ?? '') }],
    );
  }

  private createIssue(call: RecordedCall, projectRef: string | undefined, res: ServerResponse): void {
    const project = findProject(this.state, projectRef, res);
    const body = project && parseBody(issueCreateBody, call.body, res);
    if (!project || !body) return;
    const labels = typeof body.labels === 'string' ? body.labels.split(',') : (body.labels ?? []);
    const issue = this.state.addIssue(project, {
      title: body.title,
      description: body.description ?? '',
      confidential: body.confidential ?? false,
      labels: labels.map((l) => l.trim()).filter((l) => l !== ''),
    });
    sendJson(res, 201, issueJson(issue));
    if (this.options.issueHooks) this.hooks.background(this.hooks.issue(project, issue, 'open', {}));
  }

  private showIssue(projectRef: string | undefined, iid: string | undefined, res: ServerResponse): void {
    const project = findProject(this.state, projectRef, res);
    const issue = project && this.findIssue(project, iid, res);
    if (issue) sendJson(res, 200, issueJson(issue));
    if (issue) this.options.afterIssueRead(issue);
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
    sendJson(res, 200, issueJson(issue));
    if (!this.options.issueHooks) return;
    const action = stateChanged ? (nextState === 'closed' ? 'close' : 'reopen') : 'update';
    this.hooks.background(this.hooks.issue(project, issue, action, changes));
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
    const note = this.state.addNote(project, issue.iid, body.body, 'secrel-bot');
    sendJson(res, 201, {
      id: note.id,
      body: note.body,
      author: { id: this.state.userId('secrel-bot') ?? 1, username: 'secrel-bot' },
      noteable_type: 'Issue',
      noteable_iid: issue.iid,
      confidential: issue.confidential,
      internal: false,
      system: false,
    });
    if (this.options.noteHooks) this.hooks.background(this.hooks.note(project, issue, note));
  }

  private createMergeRequestNote(
    call: RecordedCall,
    projectRef: string | undefined,
    iid: string | undefined,
    res: ServerResponse,
  ): void {
    const project = findProject(this.state, projectRef, res);
    const mr =
      project && this.state.mergeRequests.find((m) => m.projectId === project.id && String(m.iid) === iid);
    if (project && !mr) sendJson(res, 404, { message: '404 Merge Request Not Found' });
    const body = mr && parseBody(noteBody, call.body, res);
    if (!project || !mr || !body) return;
    const note: FakeNote = {
      id: this.state.nextId(),
      projectId: project.id,
      issueIid: mr.iid,
      body: body.body,
      author: 'secrel-bot',
    };
    this.state.mergeRequestNotes.push(note);
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
    const targetProject = findProject(this.state, String(body.target_project_id), res);
    const target = targetProject && this.findIssue(targetProject, String(body.target_issue_iid), res);
    if (!targetProject || !target) return;
    if (issue.links.some((l) => l.projectId === target.projectId && l.iid === target.iid)) {
      sendJson(res, 409, { message: 'Issue(s) already assigned' });
      return;
    }
    issue.links.push({ projectId: target.projectId, iid: target.iid });
    target.links.push({ projectId: issue.projectId, iid: issue.iid });
    sendJson(res, 201, {
      source_issue: issueJson(issue),
      target_issue: issueJson(target),
      link_type: 'relates_to',
    });
  }

  private createBranch(call: RecordedCall, projectRef: string | undefined, res: ServerResponse): void {
    const project = findProject(this.state, projectRef, res);
    const body = project && parseBody(branchBody, call.body, res);
    if (!project || !body) return;
    if (this.state.branches.some((b) => b.projectId === project.id && b.name === body.branch)) {
      sendJson(res, 400, { message: 'Branch already exists' });
      return;
    }
    this.state.branches.push({ projectId: project.id, name: body.branch, ref: body.ref });
    sendJson(res, 201, {
      name: body.branch,
      merged: false,
      protected: false,
      default: false,
      web_url: `${this.state.url}/${project.path}/-/tree/${body.branch}`,
      commit: { id: 'bcbb5ec396a2c0f828686f14fac9b80b780504f2' },
    });
  }

  private listMergeRequests(call: RecordedCall, projectRef: string | undefined, res: ServerResponse): void {
    const project = findProject(this.state, projectRef, res);
    if (!project) return;
    const { source_branch: source, target_branch: target, state } = call.query;
    const found = this.state.mergeRequests.filter(
      (mr) =>
        mr.projectId === project.id &&
        (source === undefined || mr.sourceBranch === source) &&
        (target === undefined || mr.targetBranch === target) &&
        (state === undefined || state === 'all' || mr.state === state),
    );
    sendJson(
      res,
      200,
      found.map((mr) => mergeRequestJson(mr)),
    );
  }

  private createMergeRequest(call: RecordedCall, projectRef: string | undefined, res: ServerResponse): void {
    const project = findProject(this.state, projectRef, res);
    const body = project && parseBody(mergeRequestBody, call.body, res);
    if (!project || !body) return;
    const existing = this.state.mergeRequests.find(
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
    const mr = this.state.addMergeRequest(project, {
      sourceBranch: body.source_branch,
      targetBranch: body.target_branch,
      title: body.title,
      description: body.description ?? '',
      assigneeIds: body.assignee_ids ?? [],
    });
    sendJson(res, 201, mergeRequestJson(mr));
    if (this.options.mergeRequestHooks) this.hooks.background(this.hooks.mergeRequest(project, mr, 'open'));
  }

  /** `GET /projects/:id/merge_requests/:iid`: what reconciliation reads back. */
  private showMergeRequest(
    projectRef: string | undefined,
    iid: string | undefined,
    res: ServerResponse,
  ): void {
    const project = findProject(this.state, projectRef, res);
    if (!project) return;
    const mr = this.state.mergeRequests.find((m) => m.projectId === project.id && m.iid === Number(iid));
    if (!mr) {
      sendJson(res, 404, { message: '404 Not found' });
      return;
    }
    sendJson(
      res,
      200,
      mergeRequestJson(mr, (username) => this.state.userId(username)),
    );
  }

  private findIssue(
    project: FakeProject,
    iid: string | undefined,
    res: ServerResponse,
  ): FakeIssue | undefined {
    const issue = this.state.issues.find((i) => i.projectId === project.id && String(i.iid) === iid);
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
    const project = findProject(this.state, projectRef, res);
    const issue = project && this.findIssue(project, iid, res);
    const body = issue && parseBody(schema, call.body, res);
    return project && issue && body ? { project, issue, body } : undefined;
  }
}
