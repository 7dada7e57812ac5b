import { DateTime } from 'luxon';
import { CommandError } from './errors.js';
import type { Playbook } from './types/playbook.js';
import { isVersion, sortVersions } from './versions.js';

/**
 * ChatOps: the `/secrel` commands people write in comments on the release issue (DESIGN.md §7),
 * parsed into data. Carrying them out is `release/run-command.ts`; who may run them is `permissions.ts`.
 */

/** Names of the commands, in the order the help lists them. */
export const COMMAND_NAMES = [
  'status',
  'done',
  'waive',
  'versions',
  'start',
  'slip',
  'mr',
  'abort',
  'retry',
  'h1',
  'cve',
  'help',
  'expedite',
] as const;
/** A command name. */
export type CommandName = (typeof COMMAND_NAMES)[number];

/** Largest slip one command may ask for: three days would eat the whole schedule. */
export const MAX_SLIP_HOURS = 72;

/** A parsed `/secrel` command. */
export type Command =
  | { readonly name: 'status' }
  | { readonly name: 'done'; readonly taskId: string; readonly version?: string }
  | { readonly name: 'waive'; readonly taskId: string; readonly version?: string; readonly reason: string }
  | { readonly name: 'versions'; readonly versions: readonly string[] }
  | { readonly name: 'start'; readonly dayOne: string }
  | { readonly name: 'slip'; readonly hours: number }
  | { readonly name: 'mr'; readonly iid: number; readonly projectPath?: string }
  | { readonly name: 'abort'; readonly reason: string }
  | { readonly name: 'retry'; readonly taskId: string; readonly version?: string }
  | { readonly name: 'h1'; readonly reportId: string }
  | { readonly name: 'cve'; readonly cveId: string }
  | { readonly name: 'help' }
  | { readonly name: 'expedite'; readonly hours: number };

/** One `/secrel` line of a comment: its command, or why it was not understood. */
export type ParsedLine =
  | { readonly ok: true; readonly line: string; readonly command: Command }
  | { readonly ok: false; readonly line: string; readonly error: CommandError };

const USAGE =
  'commands: status | done <task> [version] | waive <task> [version] <reason> | versions 17.5,17.4 | ' +
  'start <YYYY-MM-DD> | slip <hours> | mr !<iid> | abort <reason> | retry <task> | help';

/** True when a line is addressed to secrel (`/secrel` as its own word at the start). */
export function isCommandLine(line: string): boolean {
  return /^\/secrel(\s|$)/i.test(line.trim());
}

/** Every `/secrel` line of a comment, parsed; other lines are conversation and ignored. */
export function parseCommands(body: string, playbook: Playbook): ParsedLine[] {
  return body
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(isCommandLine)
    .map((line) => {
      try {
        return { ok: true, line, command: parseCommand(line, playbook) } as const;
      } catch (error) {
        if (error instanceof CommandError) return { ok: false, line, error } as const;
        throw error;
      }
    });
}

/** Parses one `/secrel ...` line; throws {@link CommandError} with a one-line reason. */
export function parseCommand(line: string, playbook: Playbook): Command {
  const words = line.trim().split(/\s+/).slice(1);
  const [first, ...args] = words;
  if (first === undefined) throw new CommandError(`say what to do; ${USAGE}`);
  const name = first.toLowerCase();
  switch (name) {
    case 'status':
      return { name: 'status' };
    case 'done':
      return parseDone(args, playbook);
    case 'retry': {
      // Same shape as done: a task and, for a per-version task, its version.
      const done = parseDone(args, playbook);
      return done.name === 'done'
        ? { name: 'retry', taskId: done.taskId, ...(done.version ? { version: done.version } : {}) }
        : done;
    }
    case 'waive':
      return parseWaive(args, playbook);
    case 'versions':
      return { name: 'versions', versions: parseVersionList(args.join(',')) };
    case 'start':
      return { name: 'start', dayOne: parseDate(args) };
    case 'slip':
      return { name: 'slip', hours: parseSlip(args) };
    case 'mr':
      return parseMr(args);
    case 'abort': {
      const reason = args.join(' ');
      if (!reason) throw new CommandError('abort needs a reason: /secrel abort <reason>');
      return { name: 'abort', reason };
    }
    case 'h1':
      return parseHackerOne(args);
    case 'cve':
      return parseCve(args);
    case 'help':
      return { name: 'help' };
    case 'expedite':
      return { name: 'expedite', hours: parseExpedite(args) };
    default:
      throw new CommandError(`unknown command "${clip(first)}"${suggestion(name, COMMAND_NAMES)}; ${USAGE}`);
  }
}

function parseDone(args: readonly string[], playbook: Playbook): Command {
  const [target, maybeVersion, ...rest] = args;
  if (target === undefined) throw new CommandError('done needs a task: /secrel done <task> [version]');
  const { taskId, version } = parseTaskTarget(target, maybeVersion, playbook);
  const extra = version !== undefined && !target.includes('@') ? rest : [maybeVersion, ...rest];
  const unexpected = extra.filter((w): w is string => w !== undefined);
  if (unexpected.length > 0) {
    throw new CommandError(`unexpected "${clip(unexpected.join(' '))}" after done ${taskId}`);
  }
  return version === undefined ? { name: 'done', taskId } : { name: 'done', taskId, version };
}

function parseWaive(args: readonly string[], playbook: Playbook): Command {
  const [target, maybeVersion, ...rest] = args;
  if (target === undefined)
    throw new CommandError('waive needs a task and a reason: /secrel waive <task> <reason>');
  const { taskId, version } = parseTaskTarget(target, maybeVersion, playbook);
  const reasonWords = version !== undefined && !target.includes('@') ? rest : [maybeVersion, ...rest];
  const reason = reasonWords.filter((w): w is string => w !== undefined).join(' ');
  if (!reason) throw new CommandError(`waive needs a reason: /secrel waive ${taskId} <reason>`);
  return version === undefined
    ? { name: 'waive', taskId, reason }
    : { name: 'waive', taskId, version, reason };
}

/** `task@17.5`, or `task` followed by a word that looks like a version (`task 17.5`). */
function parseTaskTarget(
  target: string,
  next: string | undefined,
  playbook: Playbook,
): { taskId: string; version?: string } {
  const [taskId = '', atVersion] = target.split('@', 2);
  if (!playbook.tasks.some((t) => t.id === taskId)) {
    const ids = playbook.tasks.map((t) => t.id);
    throw new CommandError(`unknown task "${clip(taskId)}"${suggestion(taskId, ids)}`);
  }
  if (atVersion !== undefined) {
    if (!isVersion(atVersion)) throw new CommandError(badVersion(atVersion));
    return { taskId, version: atVersion };
  }
  // A second word shaped like a version (digits and dots) is the version; a malformed one is an error.
  if (next !== undefined && /^\d+(\.\d+)+$/.test(next)) {
    if (!isVersion(next)) throw new CommandError(badVersion(next));
    return { taskId, version: next };
  }
  return { taskId };
}

function parseVersionList(joined: string): string[] {
  if (!joined) throw new CommandError('versions needs a list: /secrel versions 17.5,17.4,17.3');
  const versions = joined.split(',').filter((v) => v !== '');
  for (const v of versions) if (!isVersion(v)) throw new CommandError(badVersion(v));
  const unique = sortVersions(versions);
  if (unique.length !== versions.length) throw new CommandError('versions must be listed once each');
  return unique;
}

function parseDate(args: readonly string[]): string {
  const [date, ...rest] = args;
  if (date === undefined || rest.length > 0 || !/^\d{4}-\d{2}-\d{2}$/.test(date)) {
    throw new CommandError('start needs Day one as a UTC date: /secrel start YYYY-MM-DD');
  }
  if (!DateTime.fromISO(date, { zone: 'utc' }).isValid) {
    throw new CommandError(`${date} is not a calendar date`);
  }
  return date;
}

function parseSlip(args: readonly string[]): number {
  const [hours, ...rest] = args;
  // A negative number moves the release earlier; how far is bounded by the schedule (chatops).
  if (hours === undefined || rest.length > 0 || !/^-?\d+$/.test(hours)) {
    throw new CommandError(
      `slip needs whole hours from -${MAX_SLIP_HOURS} to ${MAX_SLIP_HOURS}, not 0: /secrel slip <hours>`,
    );
  }
  const value = Number(hours);
  if (value === 0 || Math.abs(value) > MAX_SLIP_HOURS) {
    throw new CommandError(
      `slip hours must be from -${MAX_SLIP_HOURS} to ${MAX_SLIP_HOURS}, not 0, got ${value}`,
    );
  }
  return value;
}

function parseMr(args: readonly string[]): Command {
  const [ref, ...rest] = args;
  const match = ref === undefined ? null : /^([\w.-]+(?:\/[\w.-]+)+)?!(\d+)$/.exec(ref);
  if (match === null || rest.length > 0) {
    throw new CommandError('mr needs a merge request: /secrel mr !<iid> (or group/project!<iid>)');
  }
  const iid = Number(match[2]);
  return match[1] === undefined ? { name: 'mr', iid } : { name: 'mr', iid, projectPath: match[1] };
}

/** `/secrel expedite <hours>`: whole hours from 1 to 72. */
function parseExpedite(args: readonly string[]): number {
  const [hours, ...rest] = args;
  const value = hours !== undefined && /^\d+$/.test(hours) ? Number(hours) : Number.NaN;
  if (rest.length > 0 || !(value >= 1 && value <= 72)) {
    throw new CommandError('expedite needs whole hours from 1 to 72: /secrel expedite <hours>');
  }
  return value;
}

/** `/secrel h1 <report id>`: a HackerOne report id is digits only. */
function parseHackerOne(args: readonly string[]): Command {
  const [id, ...rest] = args;
  if (id === undefined || rest.length > 0 || !/^\d{1,12}$/.test(id)) {
    throw new CommandError('h1 needs a HackerOne report id: /secrel h1 <digits>');
  }
  return { name: 'h1', reportId: id };
}

/** `/secrel cve CVE-YYYY-NNNN…`: the year and at least four digits, as CVE ids are. */
function parseCve(args: readonly string[]): Command {
  const [id, ...rest] = args;
  const match = id === undefined ? null : /^CVE-(\d{4})-(\d{4,19})$/i.exec(id);
  if (match === null || rest.length > 0 || Number(match[1]) < 1999) {
    throw new CommandError('cve needs a CVE id: /secrel cve CVE-YYYY-NNNN');
  }
  return { name: 'cve', cveId: `CVE-${match[1]}-${match[2]}` };
}

function badVersion(value: string): string {
  return `"${clip(value)}" is not a version; write major.minor, like 17.5`;
}

/** Keeps echoed user input short so a reply stays one line. */
function clip(value: string): string {
  return value.length > 40 ? `${value.slice(0, 40)}…` : value;
}

/** `; did you mean "x"?` for the closest candidate within a small edit distance. */
function suggestion(input: string, candidates: readonly string[]): string {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = editDistance(input.toLowerCase(), candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const close =
    best !== undefined && (bestDistance <= Math.max(2, Math.floor(best.length / 3)) || best.includes(input));
  return close && input.length > 0 ? `; did you mean "${best}"?` : '';
}

/** Levenshtein distance, small inputs only. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
