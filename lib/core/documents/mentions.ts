import type { SecrelConfig } from '../config.js';
import type { Role } from '../types/playbook.js';

/**
 * Mentions of owners by role. GitLab turns `@username` into a to-do and an e-mail, which is how
 * owners learn about their tasks (DESIGN.md §7).
 */

/** Role → GitLab usernames, as config spells it. */
export type RoleMap = SecrelConfig['roles'];

/** The GitLab usernames of the given roles, in role order, each once. */
export function usernamesOf(roles: RoleMap, wanted: readonly Role[]): string[] {
  const names: string[] = [];
  for (const role of wanted) {
    for (const name of roles[role] ?? []) if (!names.includes(name)) names.push(name);
  }
  return names;
}

/** `@a @b` for the roles' people; the role names in italics when nobody is configured for one. */
export function mention(roles: RoleMap, wanted: readonly Role[]): string {
  const parts: string[] = [];
  const seen = new Set<string>();
  for (const role of wanted) {
    const people = roles[role] ?? [];
    if (people.length === 0) parts.push(`_${role} (nobody configured)_`);
    for (const name of people) {
      if (seen.has(name)) continue;
      seen.add(name);
      parts.push(`@${name}`);
    }
  }
  return parts.join(' ');
}
