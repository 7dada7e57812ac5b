import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { executionArn, StepFunctionsWorkflow } from '../../../lib/adapters/sfn/step-functions-workflow.js';

/**
 * The adapter against a loopback endpoint that speaks Step Functions' JSON protocol: what goes on
 * the wire (operation, execution name, input) and how AWS's answers are read.
 */

const STATE_MACHINE = 'arn:aws:states:eu-west-1:123456789012:stateMachine:secrel-security-release';

interface Received {
  readonly operation: string;
  readonly body: Record<string, unknown>;
}

let server: Server;
let endpoint: string;
const received: Received[] = [];
let answer: { status: number; body: Record<string, unknown> } = { status: 200, body: {} };

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      received.push({
        operation: target.split('.').pop() ?? '',
        body: JSON.parse(Buffer.concat(chunks).toString()),
      });
      res.writeHead(answer.status, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  received.length = 0;
  answer = { status: 200, body: {} };
});

function workflow(): StepFunctionsWorkflow {
  const client = new SFNClient({
    endpoint,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  return new StepFunctionsWorkflow({ stateMachineArn: STATE_MACHINE, client });
}

const awsError = (type: string) => ({
  status: 400,
  body: { __type: `com.amazonaws.states#${type}`, message: 'x' },
});

describe('Step Functions workflow', () => {
  it('starts the release execution named after the release, with the release id as input', async () => {
    answer = { status: 200, body: { executionArn: executionArn(STATE_MACHINE, '42-77'), startDate: 1 } };
    await workflow().start('42-77', { releaseId: '42-77' });
    expect(received).toEqual([
      {
        operation: 'StartExecution',
        body: { stateMachineArn: STATE_MACHINE, name: '42-77', input: '{"releaseId":"42-77"}' },
      },
    ]);
  });

  it('treats a second start of the same release as done, since the execution already runs', async () => {
    answer = awsError('ExecutionAlreadyExists');
    await expect(workflow().start('42-77', { releaseId: '42-77' })).resolves.toBeUndefined();
  });

  it('opens a gate by sending task success with the stored token', async () => {
    await workflow().sendTaskSuccess('token-1', { gate: 'publish' });
    expect(received).toEqual([
      { operation: 'SendTaskSuccess', body: { taskToken: 'token-1', output: '{"gate":"publish"}' } },
    ]);
  });

  it('treats a gate whose task is gone (opened before, or timed out) as nothing left to do', async () => {
    answer = awsError('TaskTimedOut');
    await expect(workflow().sendTaskSuccess('token-1', {})).resolves.toBeUndefined();
    answer = awsError('TaskDoesNotExist');
    await expect(
      workflow().sendTaskFailure('token-1', 'Pipeline.Failed', 'pipeline failed'),
    ).resolves.toBeUndefined();
  });

  it('passes on errors that a retry could fix, such as throttling', async () => {
    answer = awsError('ThrottlingException');
    await expect(workflow().sendTaskSuccess('token-1', {})).rejects.toThrow();
  });

  it('stops an aborted release by its execution ARN', async () => {
    await workflow().stop('42-77', 'aborted by the security lead');
    expect(received[0]?.operation).toBe('StopExecution');
    expect(received[0]?.body).toEqual({
      executionArn: 'arn:aws:states:eu-west-1:123456789012:execution:secrel-security-release:42-77',
      cause: 'aborted by the security lead',
    });
  });
});
