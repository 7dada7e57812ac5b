import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig, type SecrelConfig } from '../../lib/core/config.js';
import { PROJECT_ROOT } from '../../lib/infra/lambda-function.js';

/** Secrel configs the tests build stacks and worlds from. */

/** The committed example config: what a fresh checkout synthesizes. */
export function exampleConfig(): SecrelConfig {
  return parseConfig(JSON.parse(readFileSync(join(PROJECT_ROOT, 'secrel.config.example.json'), 'utf8')));
}

/** A config with only the required keys: no HackerOne, no version server. */
export function minimalConfig(): SecrelConfig {
  return parseConfig({
    gitlab: { url: 'https://gitlab.example.com' },
    projects: [{ id: 7, path: 'group/product', defaultBranch: 'main' }],
  });
}
