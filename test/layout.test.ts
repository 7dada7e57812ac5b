import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
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

  it('lib/services imports only the core, the ports, its own files and node, zod and luxon', () => {
    const allowed = (s: string) =>
      s.startsWith('lib/core/') ||
      s.startsWith('lib/services/') ||
      s === 'lib/ports.js' ||
      s.startsWith('node:') ||
      s === 'zod' ||
      s === 'luxon';
    expect(offenders('lib/services', allowed)).toEqual([]);
  });

  it('only lib/local imports the fakes', () => {
    const fakes = (s: string) => s.startsWith('lib/local/fakes/');
    const outside = ['lib/core', 'lib/services', 'lib/adapters', 'lib/infra', 'lambdas', 'bin'];
    expect(outside.flatMap((dir) => offenders(dir, (s) => !fakes(s)))).toEqual([]);
  });

  it('lib/infra imports no adapter, service or local-mode code', () => {
    expect(offenders('lib/infra', (s) => !/^(lib\/(adapters|services|local)|lambdas)\//.test(s))).toEqual([]);
  });

  it('handlers never import local mode', () => {
    expect(offenders('lambdas', (s) => !/^lib\/local\//.test(s))).toEqual([]);
  });
});

/** Issue #14: a newcomer finds one file per concept, under one name. */
describe('the house keeps files small and names unique', () => {
  /** One per folder by convention, so they may repeat. */
  const CONVENTIONAL = new Set(['index.ts', 'errors.ts', 'client.ts', 'types.ts']);

  it('has no file in lib/ over 400 lines', () => {
    const long = sourceFiles('lib')
      .map((file) => ({ file, lines: readFileSync(join(root, file), 'utf8').split('\n').length }))
      .filter(({ lines }) => lines > 400)
      .map(({ file, lines }) => `${file}: ${lines} lines`);
    expect(long).toEqual([]);
  });

  it('has no two files in lib/ or bin/ with the same name, but index, errors, client and types', () => {
    const byName = new Map<string, string[]>();
    for (const file of [...sourceFiles('lib'), ...sourceFiles('bin')]) {
      const name = basename(file);
      if (!CONVENTIONAL.has(name)) byName.set(name, [...(byName.get(name) ?? []), file]);
    }
    expect([...byName.values()].filter((files) => files.length > 1)).toEqual([]);
  });
});
