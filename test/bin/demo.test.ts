import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';

/** The environment without the AWS SDK warning switch, so the CLI's own setting is what counts. */
function withoutWarningSetting(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: _set, ...rest } = env;
  return rest;
}

/** Runs `secrel demo` as a person would, and collects what it prints. */
function runDemo(args: readonly string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bin/secrel.ts', 'demo', ...args], {
      cwd: process.cwd(),
      env: withoutWarningSetting(process.env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
    });
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, out }));
  });
}

describe('secrel demo', () => {
  it('rehearses a three-version release to Afterwards, exits 0 and prints the summary', {
    timeout: 120_000,
  }, async () => {
    const { code, out } = await runDemo(['--speed', '20000']);
    expect(out).toContain('dashboard: http://127.0.0.1:');
    expect(out).toContain('== Day four before 23:59 UTC');
    expect(out).toMatch(/escalat/i);
    expect(out).toMatch(/tasks late: +\d+ \(.*pre-announcement-email/);
    expect(out).toContain('The release reached Afterwards.');
    const lessons = /lessons learned: {4}(\S+)/.exec(out)?.[1];
    expect(lessons && existsSync(lessons)).toBe(true);
    const text = readFileSync(lessons ?? '', 'utf8');
    // The summary's late tasks are exactly the cutoffs the lessons-learned issue says slipped.
    const slipped = /## Cutoffs that slipped\n\n([\s\S]*?)\n\n##/.exec(text)?.[1] ?? '';
    const inFile = [...slipped.matchAll(/^- `([^`]+)`/gm)].map((m) => m[1]);
    const inSummary = (/tasks late: +\d+ \(([^)]*)\)/.exec(out)?.[1] ?? '').split(', ');
    expect(inSummary).toEqual(inFile);
    // Only the lessons-learned file is left of the demo's data: DynamoDB's files are gone.
    expect(readdirSync(dirname(lessons ?? ''))).toEqual(['lessons-learned.md']);
    // HackerOne and the acknowledgements issue are configured, so these tasks are performed.
    expect(out).not.toContain('skipped (no target configured)');
    // No documented HackerOne call approves disclosure: the security lead does it by hand.
    expect(out).toMatch(/task-done: approve-disclosure done by (?!secrel)/);
    expect(out).toContain('task-done: update-acknowledgements done by secrel');
    expect(out).not.toContain('NodeVersionSupportWarning');
    expect(code).toBe(0);
  });

  it('with --fail-backport holds the publish gate, publishes nothing and exits 3', {
    timeout: 120_000,
  }, async () => {
    const { code, out } = await runDemo(['--speed', '20000', '--fail-backport']);
    expect(out).toContain('PUBLICATION HELD');
    expect(out).toContain('publication:        0 publish pipelines, 0 version entries');
    expect(code).toBe(3);
  });
});
