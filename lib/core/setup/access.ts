/**
 * GitLab access levels and what secrel needs of its token's user in a project: Developer to
 * create branches, merge requests and pipelines (and issues and notes); Maintainer to manage the
 * project's webhooks.
 */

/** GitLab's numeric access levels. */
export const ACCESS = {
  guest: 10,
  reporter: 20,
  developer: 30,
  maintainer: 40,
  owner: 50,
} as const;

/** The level secrel's actions need: issues, notes, branches, MRs, pipelines. */
export const ACTIONS_ACCESS = ACCESS.developer;
/** The level managing project hooks needs. */
export const HOOKS_ACCESS = ACCESS.maintainer;

/** The role name GitLab shows for a level (`Developer`), or the number when unknown. */
export function accessName(level: number): string {
  const found = Object.entries(ACCESS).find(([, value]) => value === level);
  if (!found) return `access level ${level}`;
  return found[0].charAt(0).toUpperCase() + found[0].slice(1);
}
