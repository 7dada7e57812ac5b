import type { Context } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import { createActionsHandler } from '../../lambdas/actions.js';
import { createGateHandler } from '../../lambdas/gate.js';
import { createObservability } from '../../lambdas/observability.js';
import { createWebhookHandler } from '../../lambdas/webhook.js';
import { withMetrics } from '../../lib/services/compose.js';
import { countingWorkflow } from '../../lib/services/metrics.js';
import { deliveryKey } from '../../lib/services/webhook-delivery.js';
import { gitlabHeaders, ingressDeps } from '../e2e/ingress-harness.js';
import { loadFixtureText } from '../fixtures/gitlab/index.js';
import { type ActionWorld, actionWorld } from '../support/action-world.js';

/**
 * The three handlers as Lambda runs them, with Powertools: what they write to stdout is parsed
 * back into JSON log lines and embedded-metric-format (EMF) records. Storage is DynamoDB Local,
 * GitLab the fake over HTTP.
 */

type Line = Record<string, unknown>;

let streams: MockInstance<typeof process.stdout.write>[];
let written: string[];

beforeEach(() => {
  written = [];
  // Lambda sets this on a function started for a request; Powertools reports cold starts only then.
  vi.stubEnv('AWS_LAMBDA_INITIALIZATION_TYPE', 'on-demand');
  // Powertools writes info to stdout, warnings and errors to stderr: Lambda collects both.
  streams = [process.stdout, process.stderr].map((stream) =>
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    }),
  );
});
afterEach(() => {
  for (const stream of streams) stream.mockRestore();
  vi.unstubAllEnvs();
});

function lines(): Line[] {
  return written
    .join('')
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => JSON.parse(line) as Line);
}
const logs = () => lines().filter((line) => typeof line.message === 'string' && !('_aws' in line));

/** Every EMF record as `{ metric, value, dimensions }`, one per metric. */
function metrics(): { metric: string; value: unknown; dimensions: Record<string, unknown> }[] {
  return lines()
    .filter((line) => '_aws' in line)
    .flatMap((line) => {
      const aws = line._aws as { CloudWatchMetrics: { Namespace: string; Dimensions: string[][] }[] };
      const directive = aws.CloudWatchMetrics[0];
      expect(directive?.Namespace).toBe('secrel');
      const names = directive?.Dimensions[0] ?? [];
      const dimensions = Object.fromEntries(names.map((name) => [name, line[name]]));
      return Object.keys(line)
        .filter((key) => !['_aws', ...names].includes(key) && typeof line[key] === 'number')
        .map((metric) => ({ metric, value: line[metric], dimensions }));
    });
}

function lambdaContext(functionName: string, requestId: string): Context {
  return {
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:111111111111:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'stream',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => 9000,
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

function httpEvent(body: string, headers: Record<string, string>) {
  return { headers, body, isBase64Encoded: false };
}

describe('webhook function on AWS', () => {
  it('logs JSON with cold start, request id and delivery key, and counts deliveries by outcome', async () => {
    const { deps } = await ingressDeps();
    const observability = createObservability('webhook');
    const handler = createWebhookHandler(
      async () => ({
        ...deps,
        logger: observability.logger,
        workflow: countingWorkflow(deps.workflow, observability.metrics),
      }),
      observability,
    );
    const body = loadFixtureText('confidential-issue-labelled');
    const headers = gitlabHeaders('Confidential Issue Hook');
    const key = deliveryKey(headers, body);

    expect(
      (await handler(httpEvent(body, headers), lambdaContext('secrel-dev-webhook', 'req-1'))).statusCode,
    ).toBe(200);
    await handler(httpEvent(body, headers), lambdaContext('secrel-dev-webhook', 'req-2'));
    await handler(
      httpEvent(body, gitlabHeaders('Confidential Issue Hook', { token: 'wrong' })),
      lambdaContext('secrel-dev-webhook', 'req-3'),
    );
    await handler(
      httpEvent('{not json', gitlabHeaders('Issue Hook')),
      lambdaContext('secrel-dev-webhook', 'req-4'),
    );

    const answered = logs().filter((line) => line.message === 'delivery answered');
    expect(answered[0]).toMatchObject({
      level: 'INFO',
      service: 'secrel',
      function: 'webhook',
      cold_start: true,
      function_request_id: 'req-1',
      correlation_id: key,
      deliveryKey: key,
      outcome: 'accepted',
    });
    expect(answered[1]).toMatchObject({
      cold_start: false,
      function_request_id: 'req-2',
      outcome: 'duplicate',
    });
    expect(answered.map((line) => line.outcome)).toEqual([
      'accepted',
      'duplicate',
      'unauthorized',
      'rejected',
    ]);

    const deliveries = metrics().filter((m) => m.metric === 'Deliveries');
    expect(deliveries.map((m) => [m.dimensions.outcome, m.dimensions.reason, m.value])).toEqual([
      ['accepted', undefined, 1],
      ['duplicate', undefined, 1],
      ['unauthorized', undefined, 1],
      ['rejected', 'not-json', 1],
    ]);
    expect(metrics().filter((m) => m.metric === 'ReleasesStarted')).toHaveLength(1);
  });
});

describe('actions and gate functions on AWS', () => {
  let world: ActionWorld;
  beforeEach(async () => {
    world = await actionWorld();
    await world.seed();
  });
  afterEach(async () => {
    await world.close();
  });

  it('log each step under its release id and count actions performed and failed, notices, late tasks and active releases', async () => {
    const observability = createObservability('actions');
    const deps = withMetrics(
      { ...world.deps, logger: observability.logger, notifier: { notify: async () => {} } },
      observability.metrics,
    );
    const handler = createActionsHandler(async () => deps, observability);
    const context = lambdaContext('secrel-dev-actions', 'req-a');

    await handler({ releaseId: '42-7', step: 'action', task: 'create-release-issue' }, context);
    await handler({ releaseId: '42-7', step: 'action', task: 'create-release-issue' }, context);
    world.gitlab.failRequests({ method: 'POST', path: /pipeline$/, status: 503, times: 1 });
    await expect(
      handler({ releaseId: '42-7', step: 'action', task: 'build-packages', version: '17.5' }, context),
    ).rejects.toMatchObject({ name: 'Action.Transient' });
    await handler({ releaseId: '42-7', step: 'tell-owners', phase: 'day-one' }, context);
    world.at('2026-12-02T23:59:30Z');
    await handler({ releaseId: '42-7', step: 'escalate', gate: 'phase:day-two' }, context);

    const finished = logs().filter((line) => line.message === 'step finished');
    expect(finished[0]).toMatchObject({
      function: 'actions',
      cold_start: true,
      function_request_id: 'req-a',
      correlation_id: '42-7',
      releaseId: '42-7',
      outcome: 'done',
    });
    const counted = metrics().map((m) => [m.metric, m.dimensions.outcome ?? m.dimensions.error ?? null]);
    expect(counted).toEqual(
      expect.arrayContaining([
        ['ActionsPerformed', 'done'],
        ['ActionsPerformed', 'already-done'],
        ['ActionsFailed', 'Action.Transient'],
        ['NoticesSent', null],
      ]),
    );
    // One release is seeded and under way when Day one starts.
    expect(metrics().filter((m) => m.metric === 'ReleasesActive')).toEqual([
      { metric: 'ReleasesActive', value: 1, dimensions: { service: 'secrel' } },
    ]);
    const late = metrics().find((m) => m.metric === 'TasksLate');
    expect(late?.dimensions.gate).toBe('phase:day-two');
    expect(late?.value).toBeGreaterThan(0);
  });

  it('log a gate registration under its release id and count a gate that opens at once', async () => {
    const observability = createObservability('gate');
    const deps = withMetrics({ ...world.deps, logger: observability.logger }, observability.metrics);
    const handler = createGateHandler(async () => deps, observability);

    const answer = await handler(
      { releaseId: '42-7', gate: 'schedule-confirmed', token: 't-1' },
      lambdaContext('secrel-dev-gate', 'req-g'),
    );

    expect(answer.status).toBe('open');
    expect(logs().find((line) => line.message === 'gate registered')).toMatchObject({
      function: 'gate',
      function_request_id: 'req-g',
      correlation_id: '42-7',
      releaseId: '42-7',
    });
    expect(metrics().filter((m) => m.metric === 'GatesOpened')).toEqual([
      expect.objectContaining({ value: 1 }),
    ]);
  });

  it('clips every string field as the local logger does', async () => {
    const observability = createObservability('actions');
    await observability.invoke(
      lambdaContext('secrel-dev-actions', 'req-c'),
      { releaseId: '42-7' },
      async () => {
        observability.logger.warn('odd field', { reason: 'x'.repeat(5000) });
      },
    );
    const line = logs().find((entry) => entry.message === 'odd field');
    expect(String(line?.reason)).toHaveLength(201);
  });
});
