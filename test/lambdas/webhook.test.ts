import { describe, expect, it } from 'vitest';
import { createWebhookHandler, depsFromEnv } from '../../lambdas/webhook.js';
import { silentLogger } from '../../lib/services/logger.js';
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
});
