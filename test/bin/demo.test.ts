import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/** Runs `secrel demo` as a person would, and collects what it prints. */
function runDemo(args: readonly string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bin/secrel.ts', 'demo', ...args], {
      cwd: process.cwd(),
      env: { ...process.env, NODE_NO_WARNINGS: '1' },
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
    expect(readFileSync(lessons ?? '', 'utf8').length).toBeGreaterThan(0);
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
