import { describe, expect, it } from 'vitest';
import { createActionsHandler } from '../../lambdas/actions.js';
import { createWebhookHandler, depsFromEnv } from '../../lambdas/webhook.js';
import { GitLabClient } from '../../lib/adapters/gitlab/client.js';
import { DEFAULT_PLAYBOOK } from '../../lib/core/default-playbook.js';
import { startFakeGitLab } from '../../lib/local/fakes/index.js';
import { silentLogger } from '../../lib/services/logger.js';
import { startFakeInvokeEndpoint } from '../adapters/lambda/invoke-endpoint.js';
import {
  exampleConfig,
  gitlabHeaders,
  ingressDeps,
  RecordingWorkflow,
  SECRET,
} from '../e2e/ingress-harness.js';
import { loadFixtureText } from '../fixtures/gitlab/index.js';

/** The Lambda entry point with an HTTP API v2 / Function URL event, against DynamoDB Local. */

function functionUrlEvent(body: string, headers: Record<string, string>, base64: boolean) {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/webhooks/gitlab',
    rawQueryString: '',
    // Function URLs lower-case header names; the handler must not rely on it.
    headers: Object.fromEntries(
      Object.entries(headers).map(([k, v]) => [k.replace(/^x-gitlab/, 'X-Gitlab'), v]),
    ),
    requestContext: {
      http: { method: 'POST', path: '/webhooks/gitlab', protocol: 'HTTP/1.1', sourceIp: '203.0.113.7' },
    },
    body: base64 ? Buffer.from(body).toString('base64') : body,
    isBase64Encoded: base64,
  };
}

describe('webhook Lambda', () => {
  it('records a labelled confidential issue from a base64 Function URL event and answers like local mode', async () => {
    const { deps, store, workflow } = await ingressDeps();
    const handler = createWebhookHandler(async () => deps);
    const body = loadFixtureText('confidential-issue-labelled');
    const headers = gitlabHeaders('Confidential Issue Hook');
    const first = await handler(functionUrlEvent(body, headers, true));
    expect(first).toMatchObject({ statusCode: 200, body: '{"status":"accepted"}' });
    expect((await store.get('42-77'))?.status).toBe('planning');
    expect(workflow.calls).toEqual([{ call: 'start', releaseId: '42-77', input: { releaseId: '42-77' } }]);
    const again = await handler(functionUrlEvent(body, headers, false));
    expect(again).toMatchObject({ statusCode: 200, body: '{"status":"duplicate"}' });
  });

  it('refuses a wrong token with 401', async () => {
    const { deps } = await ingressDeps();
    const handler = createWebhookHandler(async () => deps);
    const body = loadFixtureText('mr-opened-for-stable');
    const res = await handler(
      functionUrlEvent(body, gitlabHeaders('Merge Request Hook', { token: 'nope' }), true),
    );
    expect(res.statusCode).toBe(401);
  });

  it('builds its dependencies from the environment the CDK stack sets', async () => {
    const { tableName, endpoint, store } = await ingressDeps();
    const workflow = new RecordingWorkflow();
    const previous = process.env.AWS_ENDPOINT_URL_DYNAMODB;
    // The SDK reads a service endpoint from the environment: the store reaches DynamoDB Local.
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_DYNAMODB: endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
    });
    try {
      const deps = await depsFromEnv(
        {
          TABLE_NAME: tableName,
          SECREL_CONFIG_JSON: JSON.stringify(exampleConfig()),
          SECREL_WEBHOOK_SECRET: SECRET,
          ACTIONS_FUNCTION_NAME: 'secrel-dev-actions',
        },
        { workflow, logger: silentLogger },
      );
      const handler = createWebhookHandler(async () => deps);
      const body = loadFixtureText('confidential-issue-labelled');
      const res = await handler(functionUrlEvent(body, gitlabHeaders('Confidential Issue Hook'), true));
      expect(res.statusCode).toBe(200);
      expect((await store.get('42-77'))?.id).toBe('42-77');
    } finally {
      if (previous === undefined) delete process.env.AWS_ENDPOINT_URL_DYNAMODB;
      else process.env.AWS_ENDPOINT_URL_DYNAMODB = previous;
    }
  });

  it('refuses to start without ACTIONS_FUNCTION_NAME, where replies would otherwise be lost', async () => {
    const { tableName } = await ingressDeps();
    await expect(
      depsFromEnv(
        {
          TABLE_NAME: tableName,
          SECREL_CONFIG_JSON: JSON.stringify(exampleConfig()),
          SECREL_WEBHOOK_SECRET: SECRET,
        },
        { workflow: new RecordingWorkflow(), logger: silentLogger },
      ),
    ).rejects.toThrow('ACTIONS_FUNCTION_NAME is not set');
  });

  it('answers a /secrel command at once and the actions function, invoked asynchronously, posts the reply to GitLab', async () => {
    const { tableName, endpoint: dynamo } = await ingressDeps();
    const invoke = await startFakeInvokeEndpoint();
    const gitlab = await startFakeGitLab({
      projects: [{ id: 42, path: 'acme/product', defaultBranch: 'main' }],
    });
    // The fixtures' vulnerability issue is #77 of project 42: the fake GitLab must hold it.
    while (gitlab.openIssue({ project: 42, title: 'vulnerability' }).iid < 77);
    const saved = { ...process.env };
    // The SDK reads service endpoints from the environment: DynamoDB Local and the fake Lambda.
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_DYNAMODB: dynamo,
      AWS_ENDPOINT_URL_LAMBDA: invoke.url,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
    });
    try {
      const config = exampleConfig();
      const deps = await depsFromEnv(
        {
          TABLE_NAME: tableName,
          SECREL_CONFIG_JSON: JSON.stringify(config),
          SECREL_WEBHOOK_SECRET: SECRET,
          ACTIONS_FUNCTION_NAME: 'secrel-dev-actions',
        },
        { workflow: new RecordingWorkflow(), logger: silentLogger },
      );
      const webhook = createWebhookHandler(async () => deps);
      const labelled = loadFixtureText('confidential-issue-labelled');
      expect(
        (await webhook(functionUrlEvent(labelled, gitlabHeaders('Confidential Issue Hook'), false)))
          .statusCode,
      ).toBe(200);
      const status = JSON.parse(loadFixtureText('note-secrel-done-request-cve')) as {
        object_attributes: { note: string; id: number };
        issue: { iid: number };
      };
      status.object_attributes.note = '/secrel status';
      status.object_attributes.id = 93001;
      status.issue.iid = 77;
      const answer = await webhook(
        functionUrlEvent(JSON.stringify(status), gitlabHeaders('Confidential Note Hook'), false),
      );
      expect(answer.statusCode).toBe(200);
      // Ingress posted nothing to GitLab itself: the reply went to the actions function.
      expect(gitlab.notes).toEqual([]);
      const replies = invoke.calls.filter((call) => call.body.includes('"reply"'));
      expect(replies).toHaveLength(1);
      expect(replies[0]?.headers['x-amz-invocation-type']).toBe('Event');

      const actions = createActionsHandler(async () => ({
        config: { ...config, gitlab: { ...config.gitlab, url: gitlab.url } },
        playbook: DEFAULT_PLAYBOOK,
        store: deps.store,
        gitlab: new GitLabClient({ host: gitlab.url, token: gitlab.token }),
        workflow: new RecordingWorkflow(),
        clock: deps.clock,
        logger: silentLogger,
      }));
      await actions(JSON.parse(replies[0]?.body ?? '{}'));
      expect(gitlab.notes).toHaveLength(1);
      expect(gitlab.notes[0]).toMatchObject({ projectId: 42, issueIid: 77 });
    } finally {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
      await invoke.close();
      await gitlab.close();
    }
  });
});
