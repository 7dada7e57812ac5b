import type { WebhookDelivery } from '../webhook-sender.js';
import type { FakeGitLab } from './fake-gitlab.js';
import { issueHook, issueLabelledHook } from './hook-payloads.js';
import { type FakeGitLabHooks, hookProject } from './hooks.js';
import { deploymentHook } from './pipeline-payloads.js';
import { type FakeGitLabState, type FakeIssue, type FakeMergeRequest, nextUpdatedAt } from './state.js';

/**
 * People editing issues in GitLab's UI, played on the fake: the description changes at once (and
 * `updated_at` moves, as GitLab's does), then GitLab sends the Issue Hook `update` with
 * `changes.description`, as it does for a person's edit or a ticked box.
 */

/** A person edits an issue's description; returns the Issue Hook delivery (undefined without a webhook). */
export function editDescription(
  fake: FakeGitLab,
  issue: FakeIssue,
  edit: (description: string) => string,
  actor: string,
): Promise<WebhookDelivery | undefined> {
  const previous = issue.description;
  issue.description = edit(previous);
  const previousUpdatedAt = issue.updatedAt;
  issue.updatedAt = nextUpdatedAt(previousUpdatedAt);
  const project = fake.project(issue.projectId);
  if (!project) throw new Error(`fake GitLab has no project ${issue.projectId}`);
  return fake
    .deliver(
      issueHook({
        project: { id: project.id, path: project.path, defaultBranch: project.defaultBranch },
        issue: { ...issue, labels: [...issue.labels] },
        action: 'update',
        changes: {
          description: { previous, current: issue.description },
          updated_at: { previous: previousUpdatedAt, current: issue.updatedAt },
        },
        actor: { id: fake.userId(actor) ?? 1, username: actor },
        instanceUrl: fake.url,
        at: issue.updatedAt,
      }),
    )
    .catch(() => undefined);
}

/** What a person fills in to open an issue; the first project and a confidential issue by default. */
export interface OpenIssueInput {
  readonly project?: number | string;
  readonly title: string;
  readonly description?: string;
  readonly confidential?: boolean;
  readonly labels?: readonly string[];
}

/** What a developer fills in to open a merge request; the first project by default. */
export interface OpenMergeRequestInput {
  readonly project?: number | string;
  readonly sourceBranch: string;
  readonly targetBranch: string;
  readonly title: string;
  readonly description: string;
  readonly author?: string;
}

/**
 * The people of a release acting in GitLab's UI, played on the fake: a reporter opens an issue,
 * the security lead labels it, developers open merge requests, maintainers merge them, people
 * comment and deployments run. Each act changes the fake's state and sends the hook GitLab sends.
 */
export class FakeGitLabPeople {
  constructor(
    private readonly state: FakeGitLabState,
    private readonly hooks: FakeGitLabHooks,
  ) {}

  /** A reporter's confidential issue, as a person opens it (no hook: GitLab's open hook is not needed to start). */
  openIssue(input: OpenIssueInput): FakeIssue {
    const project = this.state.requireProject(input.project ?? this.defaultProjectId());
    return this.state.addIssue(project, {
      title: input.title,
      description: input.description ?? '',
      confidential: input.confidential ?? true,
      labels: [...(input.labels ?? [])],
    });
  }

  /** A person adds a label to an issue; GitLab sends the (Confidential) Issue Hook. */
  async labelIssue(
    project: number | string,
    iid: number,
    label: string,
    actor: string,
  ): Promise<WebhookDelivery> {
    const p = this.state.requireProject(project);
    const issue = this.state.requireIssue(p, iid);
    const previous = [...issue.labels];
    if (!issue.labels.includes(label)) issue.labels.push(label);
    return this.hooks.deliver(
      issueLabelledHook({
        project: hookProject(p),
        iid,
        title: issue.title,
        label,
        previousLabels: previous,
        confidential: issue.confidential,
        actor: this.hooks.actor(actor),
        instanceUrl: this.state.url,
      }),
    );
  }

  /** A developer opens a merge request; GitLab sends the Merge Request Hook. */
  async openMergeRequest(
    input: OpenMergeRequestInput,
  ): Promise<{ mergeRequest: FakeMergeRequest; delivery: WebhookDelivery }> {
    const project = this.state.requireProject(input.project ?? this.defaultProjectId());
    const mr = this.state.addMergeRequest(project, { ...input, assigneeIds: [] });
    return { mergeRequest: mr, delivery: await this.hooks.mergeRequest(project, mr, 'open', input.author) };
  }

  /** A maintainer merges a merge request; GitLab sends the Merge Request Hook with action `merge`. */
  async mergeMergeRequest(project: number | string, iid: number, actor: string): Promise<WebhookDelivery> {
    const p = this.state.requireProject(project);
    const mr = this.state.mergeRequests.find((m) => m.projectId === p.id && m.iid === iid);
    if (!mr) throw new Error(`fake GitLab has no merge request !${iid} in project ${p.id}`);
    mr.state = 'merged';
    mr.mergedBy = actor;
    mr.updatedAt = nextUpdatedAt(mr.updatedAt);
    return this.hooks.mergeRequest(p, mr, 'merge', actor);
  }

  /** A person comments on an issue (a `/secrel` command); GitLab sends the Note Hook. */
  async comment(
    project: number | string,
    iid: number,
    body: string,
    actor: string,
  ): Promise<WebhookDelivery> {
    const p = this.state.requireProject(project);
    const issue = this.state.requireIssue(p, iid);
    const note = this.state.addNote(p, iid, body, actor);
    return this.hooks.note(p, issue, note);
  }

  /** A deployment to an environment changes status; GitLab sends the Deployment Hook. */
  async deploy(
    environment: string,
    status: 'running' | 'success' | 'failed',
    project?: number | string,
  ): Promise<WebhookDelivery> {
    const p = this.state.requireProject(project ?? this.defaultProjectId());
    return this.hooks.deliver(
      deploymentHook({
        project: hookProject(p),
        deploymentId: this.state.nextId(),
        environment,
        status,
        instanceUrl: this.state.url,
      }),
    );
  }

  private defaultProjectId(): number {
    const first = this.state.projects[0];
    if (!first) throw new Error('fake GitLab has no project');
    return first.id;
  }
}
