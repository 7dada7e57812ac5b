/**
 * What the fake GitLab keeps in memory: the objects secrel creates through the API and the
 * ones a rehearsal creates while playing the people of the release.
 */

/** A project the fake knows. */
export interface FakeProject {
  readonly id: number;
  /** `group/project`. */
  readonly path: string;
  readonly defaultBranch: string;
}

/** An issue in the fake. */
export interface FakeIssue {
  readonly id: number;
  readonly projectId: number;
  readonly iid: number;
  title: string;
  description: string;
  confidential: boolean;
  labels: string[];
  state: 'opened' | 'closed';
  readonly webUrl: string;
  /** Issues linked to this one, as `{ projectId, iid }`. */
  readonly links: { projectId: number; iid: number }[];
  /** ISO time of the last change; moves on every edit, as GitLab's `updated_at` does. */
  updatedAt: string;
}

/** The next `updated_at` after `previous`: now, but always later than the last one (ms resolution). */
export function nextUpdatedAt(previous?: string): string {
  const now = Date.now();
  const last = previous === undefined ? 0 : Date.parse(previous);
  return new Date(Math.max(now, last + 1)).toISOString();
}

/** A comment on an issue. */
export interface FakeNote {
  readonly id: number;
  readonly projectId: number;
  readonly issueIid: number;
  readonly body: string;
  readonly author: string;
}

/** A branch created through the API. */
export interface FakeBranch {
  readonly projectId: number;
  readonly name: string;
  readonly ref: string;
}

/** A merge request. */
export interface FakeMergeRequest {
  readonly id: number;
  readonly projectId: number;
  readonly iid: number;
  readonly sourceBranch: string;
  readonly targetBranch: string;
  readonly title: string;
  readonly description: string;
  readonly assigneeIds: readonly number[];
  state: 'opened' | 'closed' | 'merged';
  readonly webUrl: string;
  /** Who opened it (GitLab username). */
  readonly author: string;
  /** Who merged it, once merged. */
  mergedBy?: string;
  /** ISO time of the last change; moves on every change, as GitLab's `updated_at` does. */
  updatedAt: string;
}

/** Pipeline statuses the fake uses. */
export type FakePipelineStatus = 'created' | 'running' | 'success' | 'failed' | 'canceled';

/** A pipeline created through the API. */
export interface FakePipeline {
  readonly id: number;
  readonly projectId: number;
  readonly ref: string;
  readonly variables: Readonly<Record<string, string>>;
  status: FakePipelineStatus;
  readonly webUrl: string;
  /** When the status last changed, as GitLab's `updated_at`. */
  updatedAt?: string;
}

/** Ids and iids the way GitLab hands them out: ids global, iids per project and kind. */
export class IdCounter {
  private nextId = 1;
  private readonly iids = new Map<string, number>();

  /** Next global id. */
  id(): number {
    const id = this.nextId;
    this.nextId += 1;
    return id;
  }

  /** Next iid of `kind` (issues, merge requests) in a project. */
  iid(projectId: number, kind: string, start = 1): number {
    const key = `${projectId}:${kind}`;
    const iid = this.iids.get(key) ?? start;
    this.iids.set(key, iid + 1);
    return iid;
  }
}

/** Where the fake is reached, known once it started; web URLs are built on it. */
export interface FakeGitLabAddress {
  /** `http://127.0.0.1:port`; throws before the fake started. */
  url(): string;
}

/**
 * The fake GitLab's world: its projects and users, and the issues, notes, branches, merge requests
 * and pipelines created in it, with ids handed out as GitLab does. The API, the people and the
 * pipeline scheduler all act on this one state.
 */
export class FakeGitLabState {
  readonly issues: FakeIssue[] = [];
  readonly notes: FakeNote[] = [];
  /** Comments on merge requests (`issueIid` holds the MR's iid). */
  readonly mergeRequestNotes: FakeNote[] = [];
  readonly branches: FakeBranch[] = [];
  readonly mergeRequests: FakeMergeRequest[] = [];
  readonly pipelines: FakePipeline[] = [];
  private ids = new IdCounter();
  private readonly userIds = new Map<string, number>();

  /** `users`: the usernames that exist; every username exists when undefined. */
  constructor(
    readonly projects: readonly FakeProject[],
    private readonly users: readonly string[] | undefined,
    private readonly address: FakeGitLabAddress,
  ) {
    this.resetUsers();
  }

  /** The fake's base URL. */
  get url(): string {
    return this.address.url();
  }

  /** Next global id (notes, pipelines, deployments). */
  nextId(): number {
    return this.ids.id();
  }

  /** The id GitLab would give a username, or `undefined` when no such user exists. */
  userId(username: string): number | undefined {
    if (!this.userIds.has(username) && this.users === undefined) {
      this.userIds.set(username, 100 + this.userIds.size);
    }
    return this.userIds.get(username);
  }

  /** The project with this id or path. */
  project(ref: number | string): FakeProject | undefined {
    const text = String(ref);
    return this.projects.find((p) => String(p.id) === text || p.path === text);
  }

  /** The project with this id or path; throws when the fake has none. */
  requireProject(ref: number | string): FakeProject {
    const project = this.project(ref);
    if (!project) throw new Error(`fake GitLab has no project ${String(ref)}`);
    return project;
  }

  /** The issue `iid` of a project; throws when the fake has none. */
  requireIssue(project: FakeProject, iid: number): FakeIssue {
    const issue = this.issues.find((i) => i.projectId === project.id && i.iid === iid);
    if (!issue) throw new Error(`fake GitLab has no issue #${iid} in project ${project.id}`);
    return issue;
  }

  /** A new open issue in a project. */
  addIssue(
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

  /** A new comment on an issue. */
  addNote(project: FakeProject, issueIid: number, body: string, author: string): FakeNote {
    const note: FakeNote = { id: this.ids.id(), projectId: project.id, issueIid, body, author };
    this.notes.push(note);
    return note;
  }

  /** A new open merge request in a project. */
  addMergeRequest(
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

  /** A new pipeline on `ref`, in status `created`. */
  addPipeline(project: FakeProject, ref: string, variables: Readonly<Record<string, string>>): FakePipeline {
    const id = this.ids.id();
    const pipeline: FakePipeline = {
      id,
      projectId: project.id,
      ref,
      variables,
      status: 'created',
      webUrl: `${this.url}/${project.path}/-/pipelines/${id}`,
      updatedAt: nextUpdatedAt(),
    };
    this.pipelines.push(pipeline);
    return pipeline;
  }

  /** Forgets every object created; projects and the users option stay. */
  reset(): void {
    for (const list of [
      this.issues,
      this.notes,
      this.mergeRequestNotes,
      this.branches,
      this.mergeRequests,
      this.pipelines,
    ]) {
      list.length = 0;
    }
    this.ids = new IdCounter();
    this.resetUsers();
  }

  private resetUsers(): void {
    this.userIds.clear();
    for (const [index, username] of (this.users ?? []).entries()) this.userIds.set(username, 100 + index);
  }
}
