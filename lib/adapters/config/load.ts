import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseConfig, type SecrelConfig } from '../../core/config.js';
import { SECRET_ARN_VARIABLES } from '../../core/function-env.js';

/**
 * Where secrel's settings come from (DESIGN.md §8). The config file holds no secret; secrets
 * come from the environment locally and from Secrets Manager on AWS.
 */

/** Secrets a running secrel needs; none of them is ever logged. */
export interface SecrelSecrets {
  /** Accepted `X-Gitlab-Token` values (several while rotating). */
  readonly webhookSecrets: readonly string[];
  /** Accepted `whsec_…` Standard Webhooks signing keys; empty when deliveries are not signed. */
  readonly signingKeys: readonly string[];
  /** GitLab API token. */
  readonly gitlabToken?: string;
}

/** Config and secrets, resolved. */
export interface LoadedSettings {
  readonly config: SecrelConfig;
  readonly secrets: SecrelSecrets;
  /** Where the config came from: a file path or `SECREL_CONFIG_JSON`. Safe to log. */
  readonly source: string;
}

/** The environment, as a plain map (tests pass their own). */
export type Env = Readonly<Record<string, string | undefined>>;

/** Default config file names, in the order they are tried when `SECREL_CONFIG` is unset. */
export const CONFIG_FILES = ['secrel.config.json', 'secrel.config.example.json'] as const;

/** Splits a comma-separated secret list, dropping blanks. */
export function splitSecrets(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
}

/** Checks every signing key has the `whsec_<base64>` form, so a typo fails at start, not per request. */
export function checkSigningKeys(keys: readonly string[]): readonly string[] {
  for (const key of keys) {
    if (!/^whsec_[A-Za-z0-9+/]+={0,2}$/.test(key)) {
      throw new Error('SECREL_SIGNING_KEY must be whsec_ followed by base64');
    }
  }
  return keys;
}

/** Picks the config file: `SECREL_CONFIG`, else `secrel.config.json`, else the committed example. */
export function configPath(env: Env, cwd: string): string {
  if (env.SECREL_CONFIG) return resolve(cwd, env.SECREL_CONFIG);
  for (const name of CONFIG_FILES) {
    const path = resolve(cwd, name);
    if (existsSync(path)) return path;
  }
  throw new Error(`no config: set SECREL_CONFIG or create ${CONFIG_FILES[0]}`);
}

/** Parses config JSON text; the error names the source and the first bad field, never the content. */
export function parseConfigText(text: string, source: string, env: Env): SecrelConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new Error(`config ${source} is not valid JSON`);
  }
  const config = parseConfig(raw);
  // GITLAB_URL overrides the file so one config serves a staging and a production instance.
  return env.GITLAB_URL
    ? parseConfig({ ...config, gitlab: { ...config.gitlab, url: env.GITLAB_URL } })
    : config;
}

/** Reads secrets from the local environment. */
export function secretsFromEnv(env: Env): SecrelSecrets {
  return {
    webhookSecrets: splitSecrets(env.SECREL_WEBHOOK_SECRET),
    signingKeys: checkSigningKeys(splitSecrets(env.SECREL_SIGNING_KEY)),
    gitlabToken: env.GITLAB_TOKEN || undefined,
  };
}

/** Loads config and secrets for local mode and tests: the config file and the environment. */
export function loadLocalSettings(env: Env = process.env, cwd: string = process.cwd()): LoadedSettings {
  const path = configPath(env, cwd);
  if (!existsSync(path)) throw new Error(`config file ${path} does not exist`);
  return {
    config: parseConfigText(readFileSync(path, 'utf8'), path, env),
    secrets: secretsFromEnv(env),
    source: path,
  };
}

/** Reads one secret's string value by ARN (Secrets Manager on AWS). */
export type SecretReader = (arn: string) => Promise<string>;

/**
 * Loads settings on AWS: config JSON from `SECREL_CONFIG_JSON`, secrets from Secrets Manager
 * through the ARNs in `SECREL_WEBHOOK_SECRET_ARN`, `SECREL_SIGNING_KEY_ARN` and `GITLAB_TOKEN_SECRET_ARN`.
 * A plain env value (`SECREL_WEBHOOK_SECRET`, ...) is used when its ARN is not set.
 */
export async function loadAwsSettings(env: Env, readSecret: SecretReader): Promise<LoadedSettings> {
  if (!env.SECREL_CONFIG_JSON) throw new Error('SECREL_CONFIG_JSON is not set');
  const config = parseConfigText(env.SECREL_CONFIG_JSON, 'SECREL_CONFIG_JSON', env);
  const read = async (arnName: string, plainName: string): Promise<string | undefined> => {
    const arn = env[arnName];
    return arn ? await readSecret(arn) : env[plainName];
  };
  const [webhook, signing, token] = await Promise.all([
    read(SECRET_ARN_VARIABLES.webhookSecret, 'SECREL_WEBHOOK_SECRET'),
    read(SECRET_ARN_VARIABLES.signingKey, 'SECREL_SIGNING_KEY'),
    read(SECRET_ARN_VARIABLES.gitlabToken, 'GITLAB_TOKEN'),
  ]);
  return {
    config,
    secrets: {
      webhookSecrets: splitSecrets(webhook),
      signingKeys: checkSigningKeys(splitSecrets(signing)),
      gitlabToken: token?.trim() || undefined,
    },
    source: 'SECREL_CONFIG_JSON',
  };
}
