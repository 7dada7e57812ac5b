import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LambdaClient } from '@aws-sdk/client-lambda';

/** One request the fake Lambda endpoint received. */
export interface InvokeCall {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** A loopback endpoint speaking Lambda's Invoke REST protocol: records calls, answers 202 (or a set error). */
export interface FakeInvokeEndpoint {
  readonly url: string;
  readonly calls: InvokeCall[];
  /** Answer every later call with this status and Lambda error type instead of 202. */
  refuse(status: number, errorType: string): void;
  /** A Lambda client that talks to this endpoint with dummy credentials. */
  client(): LambdaClient;
  close(): Promise<void>;
}

/** Starts the fake endpoint on 127.0.0.1. The AWS SDK is the boundary; this stands in for AWS. */
export async function startFakeInvokeEndpoint(): Promise<FakeInvokeEndpoint> {
  const calls: InvokeCall[] = [];
  let refusal: { status: number; errorType: string } | undefined;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      calls.push({
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      if (refusal) {
        res.writeHead(refusal.status, {
          'content-type': 'application/json',
          'x-amzn-errortype': refusal.errorType,
        });
        res.end(JSON.stringify({ Type: 'User', Message: 'refused by the test' }));
        return;
      }
      // An asynchronous invoke is accepted with 202 and no payload.
      res.writeHead(202, { 'x-amzn-requestid': `req-${calls.length}` });
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    calls,
    refuse(status, errorType) {
      refusal = { status, errorType };
    },
    client() {
      return new LambdaClient({
        endpoint: url,
        region: 'us-east-1',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        maxAttempts: 1,
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
