import type { WebhookDelivery } from '../webhook-sender.js';
import type { FakeGitLab } from './fake-gitlab.js';
import { issueHook } from './hook-payloads.js';
import { type FakeIssue, nextUpdatedAt } from './state.js';

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
