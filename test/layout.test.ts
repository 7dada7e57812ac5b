import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/** DESIGN.md §2: imports go one way, lambdas/ -> lib/services + lib/adapters -> lib/core. */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => relative(root, join(entry.parentPath, entry.name)));
}

/** Every module specifier a file imports or re-exports, resolved to a repo path when relative. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  const specifiers = [
    ...text.matchAll(/(?:import|export)[^'";]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/g),
  ].map((m) => m[1] ?? m[2] ?? '');
  return specifiers.map((s) => (s.startsWith('.') ? relative(root, resolve(root, dirname(file), s)) : s));
}

function offenders(dir: string, allowed: (specifier: string) => boolean): string[] {
  return sourceFiles(dir).flatMap((file) =>
    importsOf(file)
      .filter((s) => !allowed(s))
      .map((s) => `${file} imports ${s}`),
  );
}

describe('the layout keeps imports one way (DESIGN.md §2)', () => {
  it('lib/core imports nothing but zod, luxon and itself', () => {
    expect(offenders('lib/core', (s) => s === 'zod' || s === 'luxon' || s.startsWith('lib/core/'))).toEqual(
      [],
    );
  });

  it('lib/adapters never imports services, local mode, infra or handlers', () => {
    expect(offenders('lib/adapters', (s) => !/^(lib\/(services|local|infra)|lambdas|bin)\//.test(s))).toEqual(
      [],
    );
  });

  it('lib/services never imports local mode, infra or handlers', () => {
    expect(offenders('lib/services', (s) => !/^(lib\/(local|infra)|lambdas|bin)\//.test(s))).toEqual([]);
  });

  it('lib/infra imports no adapter, service or local-mode code', () => {
    expect(offenders('lib/infra', (s) => !/^(lib\/(adapters|services|local)|lambdas)\//.test(s))).toEqual([]);
  });

  it('handlers never import local mode', () => {
    expect(offenders('lambdas', (s) => !/^lib\/local\//.test(s))).toEqual([]);
  });
});
