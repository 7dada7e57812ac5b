import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseConfig, type SecrelConfig } from '../core/config.js';
import { type InfraSettings, infraSettingsSchema, parseInfraSettings } from './settings.js';

/** Context keys the deployment reads, besides `config` (the path of the secrel config file). */
export const SETTINGS_CONTEXT_KEYS = Object.keys(infraSettingsSchema.shape) as readonly string[];

/**
 * A config that passes `parseConfig` with nothing in it, so `cdk synth` works in a fresh checkout.
 * It is refused for stage `prod`: a production deploy names its own config.
 */
export const PLACEHOLDER_CONFIG = {
  gitlab: { url: 'https://gitlab.example.com' },
  projects: [{ id: 1, path: 'example/product', defaultBranch: 'main' }],
} as const;

/** Everything the stack is built from: deployment settings and the validated secrel config. */
export interface Deployment {
  readonly settings: InfraSettings;
  readonly config: SecrelConfig;
  /** Where the config came from: a file path, or `placeholder`. */
  readonly configSource: string;
}

/** Reads a context value by key; `App.node.tryGetContext` fits. */
export type ContextReader = (key: string) => unknown;

/** Where {@link resolveDeployment} looks for files and settings. */
export interface ResolveOptions {
  /** Folder relative config paths start from; the project root in `bin/app.ts`. */
  readonly cwd: string;
  /** Environment, for `SECREL_CONFIG` (same meaning as in local mode). */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/**
 * Builds the deployment from CDK context and the config file, validating both with zod.
 * Config file order: context `config`, then `SECREL_CONFIG`, then `secrel.config.json`,
 * then the committed `secrel.config.example.json`, then {@link PLACEHOLDER_CONFIG}.
 */
export function resolveDeployment(context: ContextReader, options: ResolveOptions): Deployment {
  const rawSettings: Record<string, unknown> = {};
  for (const key of SETTINGS_CONTEXT_KEYS) {
    const value = context(key);
    if (value !== undefined) rawSettings[key] = value;
  }
  const settings = parseInfraSettings(rawSettings);

  const named = stringOrUndefined(context('config')) ?? options.env.SECREL_CONFIG;
  const candidates = named
    ? [named]
    : ['secrel.config.json', 'secrel.config.example.json'].filter((file) =>
        existsSync(resolve(options.cwd, file)),
      );
  const file = candidates[0];
  if (file === undefined) {
    if (settings.stage === 'prod') {
      throw new Error('stage prod needs a config file: pass -c config=path.json');
    }
    return { settings, config: parseConfig(PLACEHOLDER_CONFIG), configSource: 'placeholder' };
  }
  if (settings.stage === 'prod' && !named && file === 'secrel.config.example.json') {
    throw new Error('stage prod will not deploy the example config: pass -c config=path.json');
  }
  const path = resolve(options.cwd, file);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read config ${file}: ${(error as Error).message}`);
  }
  return { settings, config: parseConfig(raw), configSource: file };
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}
