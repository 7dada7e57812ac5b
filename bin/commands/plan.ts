import { readFileSync } from 'node:fs';
import { DateTime } from 'luxon';
import { DEFAULT_PLAYBOOK } from '../../lib/core/default-playbook.js';
import { checkEmbargo } from '../../lib/core/embargo.js';
import { isoOf } from '../../lib/core/moments.js';
import { tasksOf } from '../../lib/core/playbook-lookup.js';
import { parsePlaybook } from '../../lib/core/playbook-schema.js';
import {
  computeSchedule,
  parseDayOne,
  parseMoment,
  publicationCutoff,
  ScheduleInputError,
  toIsoMinutes,
} from '../../lib/core/schedule.js';
import { instancesOfTask } from '../../lib/core/tasks.js';
import type { Playbook, Task } from '../../lib/core/types/playbook.js';
import type { EmbargoWarning, Schedule } from '../../lib/core/types/release-schedule.js';
import {
  EXIT_OK,
  firstLine,
  type Output,
  parseHours,
  parseVersionList,
  processOutput,
  readCommandLine,
  runCommand,
  UsageError,
} from './args.js';
import { type Column, renderTable } from './table.js';

/**
 * `secrel plan`: the schedule of a release before it starts, so the security lead can pick Day
 * one: every phase's cutoff in UTC, its tasks and owners, and warnings about the embargo.
 */

const USAGE = `usage: secrel plan --start <YYYY-MM-DD | ISO time with offset> [options]

Prints every phase of the release with its cutoff in UTC, its tasks and their owners,
then warnings about the embargo (publication late in the week, longer than 14 days).

options:
  --start <date>        Day one: a UTC date, or a timestamp with Z or an offset (converted to UTC)
  --versions <list>     affected versions, major.minor, comma-separated: 17.5,17.4,17.3
  --slip <hours>        hours every cutoff has slipped (default 0)
  --started-at <time>   when first steps began, ISO with Z or offset, for the embargo (default now)
  --playbook <file>     a team's playbook as JSON (default: the built-in seed process)
  --json                print JSON (full ISO times) instead of the table
  -h, --help            print this help
`;

/** The plan as `--json` prints it: times in full ISO with Z. */
export interface PlanJson {
  readonly dayOne: string;
  readonly slipHours: number;
  readonly versions: readonly string[];
  readonly publication: string;
  readonly phases: readonly {
    readonly id: string;
    readonly title: string;
    readonly start: string | null;
    readonly cutoff: string;
    readonly tasks: readonly {
      readonly id: string;
      readonly text: string;
      readonly owners: readonly string[];
      readonly completion: Task['completion'];
      readonly scope: Task['scope'];
      /** The affected versions this task is done for; empty when it is done once for the release. */
      readonly versions: readonly string[];
    }[];
  }[];
  readonly warnings: readonly EmbargoWarning[];
}

/** Everything the plan shows, computed before anything is printed. */
interface Plan {
  readonly playbook: Playbook;
  readonly schedule: Schedule;
  readonly versions: readonly string[];
  readonly warnings: readonly EmbargoWarning[];
}

/** The versions a task instance list covers; empty for a release-wide task. */
function versionsOf(task: Task, versions: readonly string[]): string[] {
  return instancesOfTask(task, versions).flatMap((instance) => (instance.version ? [instance.version] : []));
}

/** Reads a playbook file; any problem is a usage error naming the file, on one line. */
function readPlaybook(file: string): Playbook {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`--playbook: cannot read ${file}: ${firstLine(error)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--playbook: ${file} is not JSON: ${firstLine(error)}`);
  }
  try {
    return parsePlaybook(json);
  } catch (error) {
    throw new UsageError(`--playbook: ${file}: ${firstLine(error)}`);
  }
}

/** Turns schedule input errors into usage errors naming the option: a bad date is the user's typing. */
function asUsage<T>(option: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof ScheduleInputError) throw new UsageError(`${option}: ${error.message}`);
    throw error;
  }
}

/** The plan as JSON. */
export function planJson({ playbook, schedule, versions, warnings }: Plan): PlanJson {
  return {
    dayOne: schedule.dayOne.toISODate() ?? '',
    slipHours: schedule.slipHours,
    versions,
    publication: isoOf(publicationCutoff(schedule)),
    phases: schedule.phases.map((window) => ({
      id: window.phase,
      title: window.title,
      start: window.start && isoOf(window.start),
      cutoff: isoOf(window.cutoff),
      tasks: tasksOf(playbook, window.phase).map((task) => ({
        id: task.id,
        text: task.text,
        owners: task.owners,
        completion: task.completion,
        scope: task.scope,
        versions: versionsOf(task, versions),
      })),
    })),
    warnings,
  };
}

const COLUMNS: readonly Column[] = [
  { header: 'PHASE', maxWidth: 16 },
  { header: 'CUTOFF (UTC)', maxWidth: 17 },
  { header: 'TASK [id]', maxWidth: 46 },
  { header: 'OWNERS', maxWidth: 18 },
  { header: 'VERSIONS', maxWidth: 14 },
];

/** What a per-version task shows before versions are known. */
function versionCell(task: Task, versions: readonly string[]): string {
  if (task.scope === 'release') return '';
  if (versions.length === 0) return task.scope === 'each-version' ? 'each affected' : 'newest affected';
  return versionsOf(task, versions).join(' ');
}

/** The plan as a table for people, followed by the embargo warnings. */
export function planText({ playbook, schedule, versions, warnings }: Plan): string {
  const dayOne = schedule.dayOne;
  const header = [
    'Security release plan (all times UTC)',
    `  Day one      ${dayOne.toISODate()} (${dayOne.setLocale('en').weekdayLong})`,
    `  Slip         ${schedule.slipHours} hours`,
    `  Versions     ${versions.length > 0 ? versions.join(', ') : '(not given: --versions 17.5,17.4)'}`,
    `  Publication  ${toIsoMinutes(publicationCutoff(schedule))}`,
    '',
  ];
  const rows = schedule.phases.flatMap((window, phaseIndex) => {
    const tasks = tasksOf(playbook, window.phase);
    const phaseRows = tasks.map((task, i) => [
      i === 0 ? window.title : '',
      i === 0 ? toIsoMinutes(window.cutoff) : '',
      `${task.text} [${task.id}]`,
      [...task.owners],
      versionCell(task, versions),
    ]);
    if (phaseRows.length === 0)
      phaseRows.push([window.title, toIsoMinutes(window.cutoff), '(no tasks)', [], '']);
    return phaseIndex === 0 ? phaseRows : [null, ...phaseRows];
  });
  const footer =
    warnings.length === 0
      ? ['No embargo warnings.']
      : ['Embargo warnings:', ...warnings.map((w) => `  ! ${w.message} [${w.code}]`)];
  return `${header.join('\n')}\n${renderTable(COLUMNS, rows)}\n${footer.join('\n')}\n`;
}

/** Runs `secrel plan` with the arguments after `plan`; returns the exit code. */
export async function run(argv: readonly string[], output: Output = processOutput): Promise<number> {
  return runCommand('plan', output, () => {
    const line = readCommandLine(argv, output, USAGE, {
      start: { type: 'string' },
      versions: { type: 'string' },
      slip: { type: 'string' },
      'started-at': { type: 'string' },
      playbook: { type: 'string' },
      json: { type: 'boolean', default: false },
    });
    if (!line) return EXIT_OK;
    const { values } = line;
    if (values.start === undefined)
      throw new UsageError('--start <YYYY-MM-DD> is required (see secrel plan --help)');
    const dayOne = asUsage('--start', () => parseDayOne(values.start ?? ''));
    const versions = values.versions === undefined ? [] : parseVersionList(values.versions);
    const slipHours = values.slip === undefined ? 0 : parseHours('--slip', values.slip);
    const startedAt =
      values['started-at'] === undefined
        ? DateTime.utc()
        : asUsage('--started-at', () => parseMoment(values['started-at'] ?? ''));
    const playbook = values.playbook === undefined ? DEFAULT_PLAYBOOK : readPlaybook(values.playbook);
    const schedule = asUsage('--playbook', () => computeSchedule(playbook, dayOne, slipHours));
    const plan: Plan = { playbook, schedule, versions, warnings: checkEmbargo(schedule, startedAt) };
    output.out(values.json ? `${JSON.stringify(planJson(plan), null, 2)}\n` : planText(plan));
    return EXIT_OK;
  });
}
