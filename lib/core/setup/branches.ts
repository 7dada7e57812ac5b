import { MAIN_LINE, versionForBranch } from '../versions.js';

/**
 * How the configured version branch pattern reads a project's branches: which stable branch
 * becomes which affected version, and which protected branches it does not recognise.
 */

/** One branch the pattern maps to a version. */
export interface MappedBranch {
  readonly branch: string;
  readonly version: string;
}

/** The pattern's reading of a project's branches. */
export interface BranchMapping {
  /** Stable branches and the versions they stand for, newest version first. */
  readonly mapped: readonly MappedBranch[];
  /** Protected branches (not the default branch, not wildcard rules) the pattern does not map. */
  readonly missed: readonly string[];
}

/** True when `pattern` compiles as a JavaScript regular expression. */
export function isValidPattern(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}

/**
 * Maps `branches` (protected and stable ones) through the pattern. Wildcard protection rules
 * (`*-stable`) are not branches and are left out of `missed`.
 */
export function mapBranches(
  branches: readonly string[],
  protectedBranches: readonly string[],
  defaultBranch: string,
  pattern: string,
): BranchMapping {
  const mapped = new Map<string, string>();
  for (const branch of new Set([...branches, ...protectedBranches])) {
    const version = versionForBranch(branch, defaultBranch, pattern);
    if (version !== undefined && version !== MAIN_LINE) mapped.set(branch, version);
  }
  const missed = [...new Set(protectedBranches)].filter(
    (branch) => branch !== defaultBranch && !branch.includes('*') && !mapped.has(branch),
  );
  const list = [...mapped].map(([branch, version]) => ({ branch, version }));
  list.sort((a, b) => compare(b.version, a.version) || a.branch.localeCompare(b.branch));
  return { mapped: list, missed };
}

function compare(a: string, b: string): number {
  const [am = 0, an = 0] = a.split('.').map(Number);
  const [bm = 0, bn = 0] = b.split('.').map(Number);
  return am - bm || an - bn;
}
