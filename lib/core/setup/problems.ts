/**
 * What `secrel connect --check` and `/secrel start` report about the GitLab side: one line per
 * problem, naming the config key (or environment variable) and what to do.
 */

/** `error` stops `--check` with exit 1; `warning` is shown but does not. */
export type ProblemSeverity = 'error' | 'warning';

/** One problem with the GitLab setup. */
export interface SetupProblem {
  /** The config key or environment variable to change, e.g. `roles.release managers`, `GITLAB_TOKEN`. */
  readonly key: string;
  /** What is wrong and what to do, one line, no secret. */
  readonly message: string;
  readonly severity: ProblemSeverity;
}

/** An error-level problem. */
export function setupError(key: string, message: string): SetupProblem {
  return { key, message: oneLine(message), severity: 'error' };
}

/** A warning-level problem. */
export function setupWarning(key: string, message: string): SetupProblem {
  return { key, message: oneLine(message), severity: 'warning' };
}

/** The problem as the one line a person reads: `key: message`. */
export function problemLine(problem: SetupProblem): string {
  return `${problem.key}: ${problem.message}`;
}

/** True when any problem is an error. */
export function hasErrors(problems: readonly SetupProblem[]): boolean {
  return problems.some((p) => p.severity === 'error');
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
