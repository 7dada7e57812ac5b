import * as z from 'zod';
import type { FakeIssue, FakeMergeRequest } from './state.js';

/** What the fake GitLab's API reads (request bodies, as GitLab accepts them) and writes (issues and MRs as JSON). */

/** Body of `POST /projects/:id/issues`. */
export const issueCreateBody = z.object({
  title: z.string().min(1),
  description: z.string().optional(),
  confidential: z.boolean().optional(),
  labels: z.union([z.string(), z.array(z.string())]).optional(),
});
/** Body of `PUT /projects/:id/issues/:iid`. */
export const issueEditBody = z.object({
  confidential: z.boolean().optional(),
  state_event: z.enum(['close', 'reopen']).optional(),
  add_labels: z.string().optional(),
  description: z.string().optional(),
});
/** Body of `POST .../notes` on an issue or a merge request. */
export const noteBody = z.object({ body: z.string().min(1) });
/** Body of `POST /projects/:id/issues/:iid/links`. */
export const linkBody = z.object({
  target_project_id: z.union([z.number(), z.string()]),
  target_issue_iid: z.union([z.number(), z.string()]),
});
/** Body of `POST /projects/:id/repository/branches`. */
export const branchBody = z.object({ branch: z.string().min(1), ref: z.string().min(1) });
/** Body of `POST /projects/:id/merge_requests`. */
export const mergeRequestBody = z.object({
  source_branch: z.string().min(1),
  target_branch: z.string().min(1),
  title: z.string().min(1),
  description: z.string().optional(),
  assignee_ids: z.array(z.number()).optional(),
});
/** Body of `POST /projects/:id/pipeline`. */
export const pipelineBody = z.object({
  ref: z.string().min(1),
  variables: z.array(z.object({ key: z.string(), value: z.string() })).optional(),
});

/** An issue as the API answers it. */
export function issueJson(issue: FakeIssue): Record<string, unknown> {
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

/** A merge request as the API answers it. */
export function mergeRequestJson(
  mr: FakeMergeRequest,
  userId: (username: string) => number | undefined = () => undefined,
): Record<string, unknown> {
  const user = (username: string) => ({ id: userId(username) ?? 1, username });
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
    author: user(mr.author),
    merged_by: mr.mergedBy === undefined ? null : user(mr.mergedBy),
    updated_at: mr.updatedAt,
    draft: false,
    detailed_merge_status: mr.state === 'opened' ? 'mergeable' : 'not_open',
    blocking_discussions_resolved: true,
  };
}
