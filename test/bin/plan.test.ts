import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { PlanJson } from '../../bin/commands/plan.js';
import { DEFAULT_PLAYBOOK } from '../../lib/core/default-playbook.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const scratch = mkdtempSync(path.join(tmpdir(), 'secrel-plan-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the real CLI as a child process, as a person would from the repository. */
function secrel(...args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bin/secrel.ts', ...args], {
      cwd: repoRoot,
      env: { ...process.env, NO_COLOR: '1' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** `secrel plan ... --json`, parsed. */
async function planJson(...args: string[]): Promise<PlanJson> {
  const run = await secrel('plan', ...args, '--json');
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as PlanJson;
}

const phase = (plan: PlanJson, id: string) => plan.phases.find((p) => p.id === id);
const task = (plan: PlanJson, id: string) => plan.phases.flatMap((p) => p.tasks).find((t) => t.id === id);
const lineWith = (text: string, needle: string) =>
  text.split('\n').find((line) => line.includes(needle)) ?? '';

/** Expects the CLI to refuse the command line: exit 2, nothing on stdout, one line on stderr naming the reason. */
function expectRefused(run: Run, reason: string): void {
  expect(run.code).toBe(2);
  expect(run.stdout).toBe('');
  expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(run.stderr).toContain(reason);
}

describe('secrel plan prints the schedule as a table', () => {
  it('shows every phase with its UTC cutoff, each task with its owners, and the versions of per-version tasks', async () => {
    const run = await secrel(
      'plan',
      '--start',
      '2026-12-01',
      '--versions',
      '17.5,17.4,17.3',
      '--started-at',
      '2026-11-25T09:00Z',
    );
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const out = run.stdout;
    expect(out).toContain('Day one      2026-12-01 (Tuesday)');
    expect(out).toContain('Publication  2026-12-04T23:59Z');
    expect(lineWith(out, 'Day four before  2026-12-04T12:00Z')).toContain(
      'Validate security fixes for all releases',
    );
    expect(lineWith(out, 'Day four before  2026-12-04T23:59Z')).toContain(
      'Publish security packages to public',
    );
    expect(lineWith(out, 'Cherry-pick all patches to releases')).toMatch(
      /release managers\s+17\.5 17\.4 17\.3$/,
    );
    expect(lineWith(out, 'Validate security fixes for 8.13')).toMatch(/dev team\s+17\.5$/);
    expect(lineWith(out, 'Request pre-assigned CVE')).toMatch(/security lead$/);
    for (const { id } of DEFAULT_PLAYBOOK.tasks) expect(out).toContain(`[${id}]`);
  });

  it('ends with the embargo warnings: a Friday publication is flagged', async () => {
    const run = await secrel('plan', '--start', '2026-12-01', '--started-at', '2026-11-25T09:00Z');
    expect(run.code).toBe(0);
    const warnings = run.stdout.slice(run.stdout.indexOf('Embargo warnings:'));
    expect(warnings).toContain(
      '! publication 2026-12-04T23:59Z falls on a Friday (UTC): admins would patch over the weekend',
    );
    expect(warnings).not.toContain('embargo-over-14-days');
  });

  it('says there is nothing to warn about for a Monday Day one a week after first steps', async () => {
    const run = await secrel('plan', '--start', '2026-11-30', '--started-at', '2026-11-23T09:00Z');
    expect(run.code).toBe(0);
    expect(run.stdout.trimEnd().endsWith('No embargo warnings.')).toBe(true);
  });

  it('shows per-version tasks as done for each affected version when versions are not given yet', async () => {
    const run = await secrel('plan', '--start', '2026-11-30', '--started-at', '2026-11-23T09:00Z');
    expect(lineWith(run.stdout, 'Cherry-pick all patches to releases')).toMatch(/each affected$/);
  });
});

describe('secrel plan --json', () => {
  it('gives full ISO cutoffs with Z, Day four at 12:00 and 23:59 UTC', async () => {
    const plan = await planJson(
      '--start',
      '2026-12-01',
      '--versions',
      '17.5,17.4,17.3',
      '--started-at',
      '2026-11-25T09:00Z',
    );
    expect(plan.dayOne).toBe('2026-12-01');
    expect(plan.publication).toBe('2026-12-04T23:59:00.000Z');
    expect(phase(plan, 'first-steps')?.start).toBeNull();
    expect(phase(plan, 'day-four-noon')?.cutoff).toBe('2026-12-04T12:00:00.000Z');
    expect(phase(plan, 'day-four-end')?.cutoff).toBe('2026-12-04T23:59:00.000Z');
    expect(plan.phases.flatMap((p) => p.tasks)).toHaveLength(DEFAULT_PLAYBOOK.tasks.length);
    expect(task(plan, 'build-packages')?.versions).toEqual(['17.5', '17.4', '17.3']);
    expect(task(plan, 'validate-latest')?.versions).toEqual(['17.5']);
    expect(task(plan, 'request-cve')?.versions).toEqual([]);
    expect(plan.warnings.map((w) => w.code)).toEqual(['publication-late-in-week']);
  });

  it('orders the affected versions newest first whatever order they were typed in', async () => {
    const plan = await planJson(
      '--start',
      '2026-12-01',
      '--versions',
      '17.3, 17.10,17.4',
      '--started-at',
      '2026-11-25T09:00Z',
    );
    expect(plan.versions).toEqual(['17.10', '17.4', '17.3']);
    expect(task(plan, 'validate-latest')?.versions).toEqual(['17.10']);
  });

  it('moves every cutoff by a slip of 6 hours', async () => {
    const plan = await planJson('--start', '2026-12-01', '--slip', '6', '--started-at', '2026-11-25T09:00Z');
    expect(plan.slipHours).toBe(6);
    expect(phase(plan, 'day-four-noon')?.cutoff).toBe('2026-12-04T18:00:00.000Z');
    expect(phase(plan, 'day-four-end')?.cutoff).toBe('2026-12-05T05:59:00.000Z');
  });

  it('reads a start with an offset in UTC: 22:00 in New York on 30 November is Day one 1 December', async () => {
    const plan = await planJson('--start', '2026-11-30T22:00-05:00', '--started-at', '2026-11-25T09:00Z');
    expect(plan.dayOne).toBe('2026-12-01');
  });

  it("plans with a team's own playbook file", async () => {
    const file = path.join(scratch, 'team-playbook.json');
    writeFileSync(
      file,
      JSON.stringify({
        phases: [
          {
            id: 'day-one',
            title: 'Patch day',
            start: { dayOffset: 0, time: '08:00' },
            cutoff: { dayOffset: 0, time: '18:00' },
          },
          {
            id: 'day-four-end',
            title: 'Publish',
            start: { dayOffset: 1, time: '08:00' },
            cutoff: { dayOffset: 1, time: '16:00' },
          },
        ],
        tasks: [
          {
            id: 'merge',
            text: 'Merge the fix',
            phase: 'day-one',
            owners: ['dev team'],
            completion: { kind: 'manual' },
          },
          {
            id: 'publish',
            text: 'Publish packages',
            phase: 'day-four-end',
            owners: ['packaging team'],
            completion: { kind: 'automated', action: 'publish-packages' },
            scope: 'each-version',
          },
        ],
      }),
    );
    const plan = await planJson(
      '--start',
      '2026-11-30',
      '--versions',
      '17.5',
      '--playbook',
      file,
      '--started-at',
      '2026-11-25T09:00Z',
    );
    expect(plan.phases.map((p) => [p.title, p.cutoff])).toEqual([
      ['Patch day', '2026-11-30T18:00:00.000Z'],
      ['Publish', '2026-12-01T16:00:00.000Z'],
    ]);
    expect(plan.publication).toBe('2026-12-01T16:00:00.000Z');
    expect(task(plan, 'publish')?.versions).toEqual(['17.5']);
  });
});

describe('secrel plan refuses a command line it cannot run as typed (exit 2, one line on stderr)', () => {
  it.each([
    [['--start', '2026-02-30'], '--start: Day one "2026-02-30" is not a calendar date'],
    [['--start', 'next tuesday'], '--start: Day one "next tuesday" must be YYYY-MM-DD'],
    [['--start', '2026-12-01T09:00'], 'has no Z or UTC offset'],
    [['--start', '2026-12-01', '--versions', '17.5.1'], '--versions: "17.5.1" is not major.minor'],
    [['--start', '2026-12-01', '--versions', '17.5,seventeen'], '--versions: "seventeen" is not major.minor'],
    [['--start', '2026-12-01', '--versions', '17.5,17.4,17.5'], '--versions: 17.5 is listed more than once'],
    [['--start', '2026-12-01', '--versions', ''], '--versions: "" is not major.minor'],
    [['--start', '2026-12-01', '--slip', 'soon'], '--slip: "soon" is not a whole number of hours'],
    [['--start', '2026-12-01', '--started-at', 'yesterday'], '--started-at:'],
    [['--versions', '17.5'], '--start <YYYY-MM-DD> is required'],
    [['--start', '2026-12-01', '--verbose'], "Unknown option '--verbose'"],
    [['--start', '2026-12-01', 'extra'], 'extra'],
  ])('refuses %j', async (args, reason) => {
    expectRefused(await secrel('plan', ...args), reason);
  });

  it('refuses a playbook file that is missing, not JSON, or names a role the process lacks', async () => {
    const notJson = path.join(scratch, 'not-json.json');
    writeFileSync(notJson, 'phases: []');
    const badRole = path.join(scratch, 'bad-role.json');
    const broken = JSON.parse(JSON.stringify(DEFAULT_PLAYBOOK)) as { tasks: { owners: string[] }[] };
    broken.tasks[0]!.owners = ['ops'];
    writeFileSync(badRole, JSON.stringify(broken));
    const start = ['--start', '2026-12-01'];
    expectRefused(
      await secrel('plan', ...start, '--playbook', path.join(scratch, 'absent.json')),
      '--playbook: cannot read',
    );
    expectRefused(await secrel('plan', ...start, '--playbook', notJson), 'is not JSON');
    expectRefused(
      await secrel('plan', ...start, '--playbook', badRole),
      'invalid playbook: tasks.0.owners.0',
    );
  });
});

describe('secrel help and dispatch', () => {
  it('prints the options of plan with --help and exits 0', async () => {
    const run = await secrel('plan', '--help');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('usage: secrel plan --start');
    expect(run.stdout).toContain('--versions <list>');
  });

  it('lists the commands with --help, and refuses an unknown command or none with exit 2', async () => {
    const help = await secrel('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^\s+plan\s+print the schedule/m);
    expectRefused(await secrel('launch'), 'secrel: unknown command "launch"');
    const none = await secrel();
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('usage: secrel <command>');
  });
});
