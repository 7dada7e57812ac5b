import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Test-only: a small local stand-in for the AWS APIs secrel's Lambda handlers call, so the
 * deployed bundles can run on this machine with the AWS SDK pointed here
 * (`AWS_ENDPOINT_URL_SFN`, `…_LAMBDA`, `…_SECRETS_MANAGER`, `…_DYNAMODB`):
 * - Step Functions (JSON 1.0): StartExecution, StopExecution, SendTaskSuccess, SendTaskFailure;
 * - Lambda (REST): Invoke;
 * - Secrets Manager (JSON 1.1): GetSecretValue, from the values it is given;
 * - DynamoDB: passed through to DynamoDB Local unchanged.
 * Every call is recorded as its IAM action (`states:SendTaskSuccess`, `dynamodb:GetItem`, …) with
 * the resource it named, so a test can check each against the function's role in the template.
 */

/** One API call the stand-in saw. */
export interface AwsCall {
  /** IAM action, `service:Operation`. */
  readonly action: string;
  /** The ARN or name the call addressed (secret id, function name, table, state machine). */
  readonly resource?: string;
  readonly input: Record<string, unknown>;
}

/** A running stand-in. */
export interface AwsStandIn {
  readonly url: string;
  readonly calls: AwsCall[];
  close(): Promise<void>;
}

const SERVICE_OF_TARGET: Readonly<Record<string, string>> = {
  AWSStepFunctions: 'states',
  secretsmanager: 'secretsmanager',
  DynamoDB_20120810: 'dynamodb',
};

function resourceOf(service: string, input: Record<string, unknown>): string | undefined {
  if (service === 'secretsmanager') return String(input.SecretId);
  if (service === 'states') return (input.stateMachineArn ?? input.executionArn) as string | undefined;
  if (service === 'dynamodb') {
    if (typeof input.TableName === 'string') return input.TableName;
    const items = (input.TransactItems ?? []) as Record<string, { TableName?: string }>[];
    const first = items[0] && Object.values(items[0])[0];
    if (first?.TableName) return first.TableName;
    const requests = (input.RequestItems ?? {}) as Record<string, unknown>;
    return Object.keys(requests)[0];
  }
  return undefined;
}

const TRANSACT_ACTIONS: Readonly<Record<string, string>> = {
  Put: 'dynamodb:PutItem',
  Update: 'dynamodb:UpdateItem',
  Delete: 'dynamodb:DeleteItem',
  ConditionCheck: 'dynamodb:ConditionCheckItem',
  Get: 'dynamodb:GetItem',
};

/** The IAM actions one API call needs (a DynamoDB transaction needs those of its items). */
function iamActions(service: string, operation: string, input: Record<string, unknown>): string[] {
  if (service !== 'dynamodb' || !['TransactWriteItems', 'TransactGetItems'].includes(operation))
    return [`${service}:${operation}`];
  const items = (input.TransactItems ?? []) as Record<string, unknown>[];
  return [
    ...new Set(items.flatMap((item) => Object.keys(item).map((k) => TRANSACT_ACTIONS[k] ?? `dynamodb:${k}`))),
  ];
}

/** Starts the stand-in on 127.0.0.1. `secrets` maps secret ids (ARNs) to their string values. */
export async function startAwsStandIn(options: {
  readonly secrets: Readonly<Record<string, string>>;
  readonly dynamoEndpoint: string;
}): Promise<AwsStandIn> {
  const calls: AwsCall[] = [];
  const dynamo = new URL(options.dynamoEndpoint);
  let executions = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const json = (status: number, body: unknown, type = 'application/x-amz-json-1.0'): void => {
        const text = JSON.stringify(body);
        res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(text) });
        res.end(text);
      };
      const invoke = /^\/2015-03-31\/functions\/([^/]+)\/invocations/.exec(req.url ?? '');
      if (invoke) {
        const name = decodeURIComponent(invoke[1] as string);
        calls.push({
          action: 'lambda:InvokeFunction',
          resource: name,
          input: {
            invocationType: req.headers['x-amz-invocation-type'],
            payload: JSON.parse(raw.toString() || '{}'),
          },
        });
        // An asynchronous invoke is accepted with 202 and no payload.
        res.writeHead(req.headers['x-amz-invocation-type'] === 'Event' ? 202 : 200, {
          'content-type': 'application/json',
        });
        res.end(req.headers['x-amz-invocation-type'] === 'Event' ? '' : 'null');
        return;
      }
      const target = String(req.headers['x-amz-target'] ?? '');
      const [prefix, operation] = target.split('.');
      const service = SERVICE_OF_TARGET[prefix ?? ''];
      if (!service || !operation) return json(400, { __type: 'UnknownOperationException' });
      const input = JSON.parse(raw.toString() || '{}') as Record<string, unknown>;
      // IAM has no action for a transaction: each item needs the action it performs.
      for (const action of iamActions(service, operation, input))
        calls.push({ action, resource: resourceOf(service, input), input });
      if (service === 'dynamodb') {
        // Pass through to DynamoDB Local, bytes and headers as the SDK sent them.
        const forward = request(
          {
            host: dynamo.hostname,
            port: dynamo.port,
            path: req.url,
            method: req.method,
            headers: { ...req.headers, host: dynamo.host },
          },
          (answer) => {
            res.writeHead(answer.statusCode ?? 500, answer.headers);
            answer.pipe(res);
          },
        );
        forward.on('error', () => json(500, { __type: 'InternalServerError' }));
        forward.end(raw);
        return;
      }
      if (service === 'secretsmanager') {
        const id = String(input.SecretId);
        const value = options.secrets[id];
        if (value === undefined)
          return json(
            400,
            { __type: 'ResourceNotFoundException', message: 'no such secret' },
            'application/x-amz-json-1.1',
          );
        return json(
          200,
          { ARN: id, Name: id, SecretString: value, VersionId: 'v1' },
          'application/x-amz-json-1.1',
        );
      }
      switch (operation) {
        case 'StartExecution':
          executions += 1;
          return json(200, {
            executionArn: `${String(input.stateMachineArn).replace(':stateMachine:', ':execution:')}:${String(input.name ?? executions)}`,
            startDate: Date.now() / 1000,
          });
        case 'StopExecution':
          return json(200, { stopDate: Date.now() / 1000 });
        case 'SendTaskSuccess':
        case 'SendTaskFailure':
          return json(200, {});
        default:
          return json(400, { __type: 'UnknownOperationException' });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
