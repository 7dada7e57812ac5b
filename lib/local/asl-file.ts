import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildDefinition } from '../core/asl/build.js';
import { DEFAULT_PLAYBOOK } from '../core/default-playbook.js';
import type { Playbook } from '../core/types/playbook.js';
import { DEFAULT_DEFINITION_PATH } from './engine/definition.js';

/**
 * `statemachines/security-release.asl.json` is the builder's output for the default playbook: the
 * one file the CDK app and the local engine read. `npm run asl` writes it; a test fails when the
 * file and the builder disagree.
 */

const BIOME = fileURLToPath(new URL('../../node_modules/.bin/biome', import.meta.url));

/** Writes the definition built from `playbook` to `path`, formatted as the repository's JSON is. */
export function writeAslFile(playbook: Playbook = DEFAULT_PLAYBOOK, path = DEFAULT_DEFINITION_PATH): void {
  writeFileSync(path, `${JSON.stringify(buildDefinition(playbook), null, 2)}\n`);
  execFileSync(BIOME, ['format', '--write', path], { stdio: 'ignore' });
}

/** True when the file holds exactly what the builder makes of `playbook` (formatting aside). */
export function aslFileIsCurrent(
  playbook: Playbook = DEFAULT_PLAYBOOK,
  path = DEFAULT_DEFINITION_PATH,
): boolean {
  const onDisk: unknown = JSON.parse(readFileSync(path, 'utf8'));
  return JSON.stringify(onDisk) === JSON.stringify(buildDefinition(playbook));
}
