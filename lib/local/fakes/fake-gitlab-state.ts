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
