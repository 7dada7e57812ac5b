import type { LogFields, Logger } from '../ports.js';

/**
 * A tiny structured logger. Callers pass only safe fields (ids, kinds, statuses, counts):
 * it has no way to print a body, and string fields are cut short so a stray payload cannot
 * spill into the log.
 */

/** Longest string field written; ids and reasons fit, a payload does not. */
export const MAX_FIELD_LENGTH = 200;

type Level = 'info' | 'warn' | 'error';

/** The fields as written: undefined dropped, strings cut to {@link MAX_FIELD_LENGTH}. */
export function clipFields(fields: LogFields | undefined): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [name, value] of Object.entries(fields ?? {})) {
    if (value === undefined) continue;
    out[name] =
      typeof value === 'string' && value.length > MAX_FIELD_LENGTH
        ? `${value.slice(0, MAX_FIELD_LENGTH)}…`
        : value;
  }
  return out;
}

/** A logger writing one JSON line per entry to `write` (stdout by default). */
export function createLogger(
  service: string,
  write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Logger {
  const log = (level: Level, message: string, fields?: LogFields): void => {
    write(JSON.stringify({ level, time: new Date().toISOString(), service, message, ...clipFields(fields) }));
  };
  return {
    info: (message, fields) => log('info', message, fields),
    warn: (message, fields) => log('warn', message, fields),
    error: (message, fields) => log('error', message, fields),
  };
}

/** A logger that drops everything, for tests and benchmarks. */
export const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {} };
