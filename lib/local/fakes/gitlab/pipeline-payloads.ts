import {
  type GitLabHook,
  type HookBase,
  hookBase,
  projectJson,
  railsTime,
  userJson,
} from './hook-payloads.js';

/** Pipeline and Deployment Hook payloads in the shapes GitLab documents (webhook_events.md); all data invented. */

/** Input of {@link pipelineHook}. */
export interface PipelineHookInput extends HookBase {
  readonly pipelineId: number;
  readonly ref: string;
  readonly status: 'created' | 'pending' | 'running' | 'success' | 'failed' | 'canceled' | 'manual';
  /** Pipeline variables; secrel's pipelines carry `SECREL_RELEASE_ID` and `SECREL_ACTION`. */
  readonly variables?: Readonly<Record<string, string>>;
  /** `api` for pipelines created through the API, `push` for branch pushes. */
  readonly source?: string;
  readonly sha?: string;
}

/** A Pipeline Hook. */
export function pipelineHook(input: PipelineHookInput): GitLabHook {
  const { instance, at, actor } = hookBase(input);
  const finished = ['success', 'failed', 'canceled'].includes(input.status);
  return {
    event: 'Pipeline Hook',
    payload: {
      object_kind: 'pipeline',
      object_attributes: {
        id: input.pipelineId,
        iid: input.pipelineId,
        name: null,
        ref: input.ref,
        tag: false,
        sha: input.sha ?? 'bcbb5ec396a2c0f828686f14fac9b80b780504f2',
        before_sha: '0000000000000000000000000000000000000000',
        source: input.source ?? 'api',
        status: input.status,
        detailed_status: input.status === 'success' ? 'passed' : input.status,
        stages: ['build', 'test', 'publish'],
        created_at: railsTime(at),
        finished_at: finished ? railsTime(at) : null,
        duration: finished ? 60 : null,
        queued_duration: 1,
        variables: Object.entries(input.variables ?? {}).map(([key, value]) => ({ key, value })),
        url: `${instance}/${input.project.path}/-/pipelines/${input.pipelineId}`,
      },
      merge_request: null,
      user: userJson(actor),
      project: projectJson(input.project, instance),
      commit: {
        id: input.sha ?? 'bcbb5ec396a2c0f828686f14fac9b80b780504f2',
        message: 'Security fix\n',
        timestamp: at,
        url: `${instance}/${input.project.path}/-/commit/${input.sha ?? 'bcbb5ec3'}`,
        author: { name: actor.username, email: '[REDACTED]' },
      },
      builds: [],
    },
  };
}

/** Input of {@link deploymentHook}. */
export interface DeploymentHookInput extends HookBase {
  readonly deploymentId: number;
  /** `staging`, `production`, `gprd`, ... */
  readonly environment: string;
  readonly status: 'running' | 'success' | 'failed' | 'canceled';
  readonly ref?: string;
}

/** A Deployment Hook. */
export function deploymentHook(input: DeploymentHookInput): GitLabHook {
  const { instance, at, actor } = hookBase(input);
  const webUrl = `${instance}/${input.project.path}`;
  return {
    event: 'Deployment Hook',
    payload: {
      object_kind: 'deployment',
      status: input.status,
      status_changed_at: railsTime(at),
      deployment_id: input.deploymentId,
      deployable_id: 9000 + input.deploymentId,
      deployable_url: `${webUrl}/-/jobs/${9000 + input.deploymentId}`,
      environment: input.environment,
      environment_tier: input.environment,
      environment_slug: input.environment,
      environment_external_url: null,
      project: projectJson(input.project, instance),
      short_sha: 'bcbb5ec3',
      user: userJson(actor),
      user_url: `${instance}/${actor.username}`,
      commit_url: `${webUrl}/-/commit/bcbb5ec396a2c0f828686f14fac9b80b780504f2`,
      commit_title: 'Security release',
      ref: input.ref ?? input.project.defaultBranch ?? 'main',
    },
  };
}
