import { CachedSecretReader } from './cached-secret-reader.js';
import { SecretsManagerSource } from './secrets-manager-source.js';

export {
  CachedSecretReader,
  type CachedSecretReaderOptions,
  type SecretSource,
} from './cached-secret-reader.js';
export {
  SecretsManagerSource,
  type SecretsManagerSourceOptions,
  SecretUnavailableError,
} from './secrets-manager-source.js';

let shared: CachedSecretReader | undefined;

/**
 * The container-wide secret reader for Lambda handlers: one cache per container, so a secret is
 * fetched at cold start and not again per invocation. Fits `SecretReader` in `lib/adapters/config`:
 * `loadAwsSettings(process.env, readLambdaSecret)`.
 */
export function readLambdaSecret(secretId: string): Promise<string> {
  shared ??= new CachedSecretReader(new SecretsManagerSource());
  return shared.read(secretId);
}
