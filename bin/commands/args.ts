import { type ParseArgsConfig, parseArgs } from 'node:util';
import { isVersion, sortVersions } from '../../lib/core/versions.js';

/**
 * What every `secrel` subcommand shares: exit codes, the error for a command line that cannot
 * run as typed, and readers for arguments several commands take.
 */

/** The command did what was asked. */
export const EXIT_OK = 0;
/** Something failed while running (not the user's typing). */
export const EXIT_FAILURE = 1;
/** The command line was wrong: bad option, bad date, bad versions. */
export const EXIT_USAGE = 2;

/** Where a command writes; the real process streams unless a caller passes its own. */
export interface Output {
  out(text: string): void;
  err(text: string): void;
}

/** The process's stdout and stderr. */
export const processOutput: Output = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

/** A subcommand module of `secrel`: runs with the arguments after its name, returns the exit code. */
export interface CommandModule {
  run(argv: readonly string[], output?: Output): Promise<number>;
}

/** A command line that cannot run as typed; its one-line message goes to stderr with exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The first line of an error's message, so nothing multi-line (or a stack) reaches the terminal. */
export function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]?.trim() || 'unknown error';
}

/** Node's parseArgs errors carry codes starting with this. */
const PARSE_ARGS_ERROR = 'ERR_PARSE_ARGS_';

/**
 * Runs `node:util` parseArgs (passed as a thunk so its precise types survive) and turns its
 * errors (unknown option, missing value, stray argument) into a {@link UsageError}.
 */
export function parseCommandLine<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    if (typeof code === 'string' && code.startsWith(PARSE_ARGS_ERROR)) throw new UsageError(firstLine(error));
    throw error;
  }
}

/** `-h`/`--help`, which every command takes. */
const HELP_OPTION = { help: { type: 'boolean', short: 'h', default: false } } as const;

/** The options a command declares, as `node:util` parseArgs takes them. */
type CommandOptions = NonNullable<ParseArgsConfig['options']>;

/** The parseArgs config a command line is read with: strict, with `--help` added. */
interface CommandLineConfig<O extends CommandOptions, P extends boolean> {
  args: string[];
  options: O & typeof HELP_OPTION;
  strict: true;
  allowPositionals: P;
}

/** A command line as {@link readCommandLine} read it, typed by the command's own options. */
export type CommandLine<O extends CommandOptions, P extends boolean = false> = ReturnType<
  typeof parseArgs<CommandLineConfig<O, P>>
>;

/**
 * Reads a command's arguments strictly with its options plus `-h/--help` (bad typing becomes a
 * {@link UsageError}). When help is asked for it prints `usage` and returns undefined, so the
 * command returns {@link EXIT_OK} without doing anything else.
 */
export function readCommandLine<const O extends CommandOptions, const P extends boolean = false>(
  argv: readonly string[],
  output: Output,
  usage: string,
  options: O,
  allowPositionals?: P,
): CommandLine<O, P> | undefined {
  const config: CommandLineConfig<O, P> = {
    args: [...argv],
    options: { ...options, ...HELP_OPTION },
    strict: true,
    allowPositionals: (allowPositionals ?? false) as P,
  };
  const line = parseCommandLine(() => parseArgs(config));
  // Inside this generic function TypeScript cannot resolve the values' keys; `help` is always there.
  if ((line.values as { readonly help?: boolean }).help) {
    output.out(usage);
    return undefined;
  }
  return line;
}

/**
 * Reads `--versions 17.5,17.4,17.3`: each `major.minor`, none twice, at least one.
 * Returns them newest first, as the release stores them.
 */
export function parseVersionList(input: string): string[] {
  const versions = input.split(',').map((v) => v.trim());
  const seen = new Set<string>();
  for (const version of versions) {
    if (!isVersion(version)) {
      throw new UsageError(
        `--versions: ${JSON.stringify(version.slice(0, 20))} is not major.minor (like 17.5)`,
      );
    }
    // 17.05 and 17.5 are the same version: compare by number, as branch names are read.
    const canonical = version
      .split('.')
      .map((part) => String(Number(part)))
      .join('.');
    if (seen.has(canonical)) throw new UsageError(`--versions: ${canonical} is listed more than once`);
    seen.add(canonical);
  }
  return sortVersions([...seen]);
}

/** Reads a whole number of hours (`--slip 6`, `--slip -2`). */
export function parseHours(option: string, input: string): number {
  if (!/^-?\d{1,5}$/.test(input.trim())) {
    throw new UsageError(`${option}: ${JSON.stringify(input.slice(0, 20))} is not a whole number of hours`);
  }
  return Number(input.trim());
}

/**
 * Runs a command body, printing a {@link UsageError} as `secrel <command>: <reason>` on stderr
 * and returning exit code 2; other errors propagate to the dispatcher.
 */
export async function runCommand(
  name: string,
  output: Output,
  body: () => Promise<number> | number,
): Promise<number> {
  try {
    return await body();
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    output.err(`secrel ${name}: ${error.message}\n`);
    return EXIT_USAGE;
  }
}
