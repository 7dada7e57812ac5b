import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretsManagerSource, SecretUnavailableError } from '../../../lib/adapters/secrets/index.js';

/**
 * A stand-in for the Secrets Manager endpoint speaking its JSON protocol, so the real SDK client
 * runs end to end: what the adapter sends, and how it reads the answers.
 */
const SECRETS: Record<string, Record<string, unknown>> = {
  'secrel/dev/gitlab-token': { Name: 'secrel/dev/gitlab-token', SecretString: 'glpat-xyz' },
  'secrel/dev/binary': { Name: 'secrel/dev/binary', SecretBinary: 'AAEC' },
};
const seen: { target: string | undefined; body: unknown }[] = [];

async function body(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

let server: Server;
let client: SecretsManagerClient;

beforeAll(async () => {
  server = createServer(async (request, response) => {
    const parsed = JSON.parse(await body(request)) as { SecretId: string };
    seen.push({ target: request.headers['x-amz-target'] as string | undefined, body: parsed });
    const secret = SECRETS[parsed.SecretId];
    response.setHeader('content-type', 'application/x-amz-json-1.1');
    if (!secret) {
      response.statusCode = 400;
      response.end(JSON.stringify({ __type: 'ResourceNotFoundException', message: 'not found' }));
      return;
    }
    response.end(
      JSON.stringify({ ARN: `arn:aws:secretsmanager:us-east-1:1:secret:${parsed.SecretId}`, ...secret }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  client = new SecretsManagerClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
});

afterAll(async () => {
  client.destroy();
  await new Promise((resolve) => server.close(resolve));
});

describe('Secrets Manager source', () => {
  it('reads a secret string with GetSecretValue by the ARN or name it is given', async () => {
    const source = new SecretsManagerSource({ client });
    expect(await source.read('secrel/dev/gitlab-token')).toBe('glpat-xyz');
    expect(seen.at(-1)).toEqual({
      target: 'secretsmanager.GetSecretValue',
      body: { SecretId: 'secrel/dev/gitlab-token' },
    });
  });

  it('refuses a binary secret, naming the secret only', async () => {
    const source = new SecretsManagerSource({ client });
    const failure = source.read('secrel/dev/binary');
    await expect(failure).rejects.toBeInstanceOf(SecretUnavailableError);
    await expect(failure).rejects.toThrow('secret secrel/dev/binary has no string value');
  });

  it('reports a missing secret by its id and the error name AWS gave', async () => {
    const source = new SecretsManagerSource({ client });
    await expect(source.read('secrel/dev/missing')).rejects.toThrow(
      'cannot read secret secrel/dev/missing: ResourceNotFoundException',
    );
  });
});
