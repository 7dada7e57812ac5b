import { randomUUID } from 'node:crypto';
import { FAKE_GITLAB_VERSION } from '../webhook-sender.js';
import { issueHook } from './hook-payloads.js';
import { hookProject } from './hooks.js';
import type { FakeGitLabState, FakeProject } from './state.js';

/**
 * The test deliveries of the fake's project hooks (`POST /projects/:id/hooks/:hook_id/test/:trigger`):
 * the payload GitLab builds from the project's latest data, and the real POST to the hook's URL.
 */

/** GitLab gives up on a receiver after this long. */
const DELIVERY_TIMEOUT_MS = 10_000;

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

/** A test payload: its `X-Gitlab-Event` and JSON body. */
export interface TestPayload {
  readonly event: string;
  readonly body: Record<string, unknown>;
}

/** GitLab's test payloads are built from the project's latest data; the fake builds these. */
export function testPayload(
  state: FakeGitLabState,
  project: FakeProject,
  trigger: string,
  tokenUser: string,
): TestPayload | undefined {
  const instance = state.url;
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
        user_username: tokenUser,
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
    const issue = state.issues.findLast((i) => i.projectId === project.id && i.confidential === confidential);
    if (!issue) return undefined;
    const hook = issueHook({
      project: hookProject(project),
      issue: { ...issue, labels: [...issue.labels] },
      action: 'update',
      instanceUrl: instance,
    });
    return { event: hook.event, body: { ...hook.payload } };
  }
  return undefined;
}

/**
 * POSTs a test payload to a hook's URL with GitLab's headers and the hook's secret; the receiver's
 * status is 0 when it could not be reached.
 */
export async function sendTestDelivery(
  hook: { readonly id: number; readonly url: string; readonly token: string | undefined },
  trigger: string,
  { event, body: payload }: TestPayload,
  instanceUrl: string,
): Promise<FakeTestDelivery> {
  const uuid = randomUUID();
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    'User-Agent': `GitLab/${FAKE_GITLAB_VERSION}`,
    'X-Gitlab-Event': event,
    'X-Gitlab-Instance': instanceUrl,
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
  return { hookId: hook.id, trigger, event, url: hook.url, status, responseBody };
}
