import type { SecrelConfig } from './config.js';

/**
 * Affected versions (`17.5`): their shape, their order, and how a target branch names one.
 */

/** The version an MR targeting the project's default branch belongs to. */
export const MAIN_LINE = 'main';

const VERSION = /^(\d+)\.(\d+)$/;

/** True for `major.minor` (`17.5`), the only form an affected version takes. */
export function isVersion(value: string): boolean {
  return VERSION.test(value);
}

/** Orders versions newest first (`17.10` before `17.9`). */
export function compareVersionsNewestFirst(a: string, b: string): number {
  const [am = 0, an = 0] = a.split('.').map(Number);
  const [bm = 0, bn = 0] = b.split('.').map(Number);
  return bm - am || bn - an;
}

/** Versions sorted newest first, without duplicates. */
export function sortVersions(versions: readonly string[]): string[] {
  return [...new Set(versions)].sort(compareVersionsNewestFirst);
}

/**
 * The affected version a target branch stands for: `17-5-stable` -> `17.5` (with the configured
 * pattern, whose first two captures are major and minor), the default branch -> `main`,
 * anything else -> undefined (the MR is not part of a security release).
 */
export function versionForBranch(
  branch: string,
  defaultBranch: string,
  pattern: SecrelConfig['versionBranchPattern'],
): string | undefined {
  if (branch === defaultBranch) return MAIN_LINE;
  const match = new RegExp(pattern).exec(branch);
  const major = match?.[1];
  const minor = match?.[2];
  if (major === undefined || minor === undefined) return undefined;
  // Number() drops leading zeros so `17-05-stable` and `17-5-stable` name the same version.
  return `${Number(major)}.${Number(minor)}`;
}
