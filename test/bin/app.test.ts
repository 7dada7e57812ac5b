import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSecrel } from '../support/processes.js';

/**
 * A bad config or setting is refused before it can hurt: by `cdk synth` and by `secrel serve`,
 * with one line naming the key, no stack trace, exit 1.
 */

const run = promisify(execFile);
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'secrel-app-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Runs the CDK app the way `cdk synth` does, with the given context; returns exit code and stderr. */
async function synth(context: Record<string, string>): Promise<{ code: number; stderr: string }> {
  const args = ['--import', 'tsx', 'bin/app.ts'];
  const env = { ...process.env, CDK_CONTEXT_JSON: JSON.stringify(context), CDK_OUTDIR: join(dir, 'out') };
  try {
    const done = await run(process.execPath, args, { env });
    return { code: 0, stderr: done.stderr };
  } catch (error) {
    const failed = error as { code: number; stderr: string };
    return { code: failed.code, stderr: failed.stderr };
  }
}

describe('the CDK app refuses a bad config before synthesizing', () => {
  it('with one line naming an invalid regular expression', { timeout: 60_000 }, async () => {
    const config = join(dir, 'bad-pattern.json');
    writeFileSync(
      config,
      JSON.stringify({
        gitlab: { url: 'https://gitlab.example.com' },
        projects: [{ id: 1, path: 'a/b', defaultBranch: 'main' }],
        versionBranchPattern: '(',
      }),
    );
    expect(await synth({ config })).toEqual({
      code: 1,
      stderr: 'secrel: invalid config: versionBranchPattern: is not a valid regular expression\n',
    });
  });

  it('with one line naming an unknown key', { timeout: 60_000 }, async () => {
    const config = join(dir, 'unknown-key.json');
    writeFileSync(
      config,
      JSON.stringify({
        gitlab: { url: 'https://gitlab.example.com' },
        projects: [{ id: 1, path: 'a/b', defaultBranch: 'main' }],
        relaseLabel: 'typo',
      }),
    );
    expect(await synth({ config })).toEqual({
      code: 1,
      stderr: 'secrel: invalid config: relaseLabel: unknown key\n',
    });
  });

  it('with one line naming a bad deployment setting', { timeout: 60_000 }, async () => {
    const { code, stderr } = await synth({ stage: 'Prod!' });
    expect(code).toBe(1);
    expect(stderr).toMatch(/^secrel: invalid deployment context: stage: [^\n]+\n$/);
  });
});

describe('secrel serve refuses a bad config at start', () => {
  it('with the same one line, before starting anything', { timeout: 60_000 }, async () => {
    const config = join(dir, 'serve-bad-pattern.json');
    writeFileSync(
      config,
      JSON.stringify({
        gitlab: { url: 'https://gitlab.example.com' },
        projects: [{ id: 1, path: 'a/b', defaultBranch: 'main' }],
        versionBranchPattern: '^(\\d+)-stable$',
      }),
    );
    const { code, stderr } = await runSecrel(['serve'], {
      SECREL_CONFIG: config,
      SECREL_DATA_DIR: join(dir, 'data'),
    });
    expect(code).toBe(1);
    expect(stderr).toBe(
      'secrel: invalid config: versionBranchPattern: needs two capture groups, major and minor\n',
    );
  });
});
