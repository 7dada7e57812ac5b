import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SecretSource } from './cached-secret-reader.js';

/** Raised when a secret has no string value or cannot be read. Names the secret, never a value. */
export class SecretUnavailableError extends Error {
  override readonly name = 'SecretUnavailableError';
}

/** Options of {@link SecretsManagerSource}. */
export interface SecretsManagerSourceOptions {
  /** A client to reuse; one for the Lambda's region is created when absent. */
  readonly client?: SecretsManagerClient;
}

/** Reads secret strings from AWS Secrets Manager by ARN or name. */
export class SecretsManagerSource implements SecretSource {
  readonly #client: SecretsManagerClient;

  constructor(options: SecretsManagerSourceOptions = {}) {
    this.#client = options.client ?? new SecretsManagerClient({});
  }

  async read(secretId: string): Promise<string> {
    let secretString: string | undefined;
    try {
      const output = await this.#client.send(new GetSecretValueCommand({ SecretId: secretId }));
      secretString = output.SecretString;
    } catch (error) {
      const reason = error instanceof Error ? error.name : 'unknown error';
      throw new SecretUnavailableError(`cannot read secret ${secretId}: ${reason}`);
    }
    if (secretString === undefined) {
      throw new SecretUnavailableError(`secret ${secretId} has no string value`);
    }
    return secretString;
  }
}
