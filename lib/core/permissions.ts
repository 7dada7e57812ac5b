import { COMMAND_NAMES, type Command, type CommandName } from './commands.js';
import type { SecrelConfig } from './config.js';
import { findTask } from './playbook-lookup.js';
import type { Playbook, Role } from './types/playbook.js';

/**
 * Who may steer a release (DESIGN.md §4.6): roles map to GitLab usernames in config; a command
 * outside the author's roles is refused with a reply and changes nothing.
 */

/** Commands release managers may run on any task. */
export const RELEASE_MANAGER_COMMANDS: readonly CommandName[] = [
  'status',
  'done',
  'mr',
  'slip',
  'versions',
  'retry',
];

/** The commands `actor` may run (for `/secrel help`); `done` only when some task is theirs. */
export function allowedCommands(actor: string, config: SecrelConfig, playbook: Playbook): CommandName[] {
  const roles = rolesOf(config, actor);
  if (roles.length === 0) return [];
  if (roles.includes('security lead')) return [...COMMAND_NAMES];
  const mayDone = playbook.tasks.some((t) => t.owners.some((owner) => roles.includes(owner)));
  const managers = roles.includes('release managers') ? RELEASE_MANAGER_COMMANDS : [];
  return COMMAND_NAMES.filter(
    (name) => name === 'status' || name === 'help' || managers.includes(name) || (name === 'done' && mayDone),
  );
}

/** The outcome of a permission check; `reason` is the one-line reply for a refusal. */
export type Decision = { readonly allowed: true } | { readonly allowed: false; readonly reason: string };

/**
 * GitLab usernames are matched without `@` and without regard to ASCII case, as GitLab does. Only A-Z
 * fold: Unicode case folding would let `K` (Kelvin sign, U+212A) stand for `k`.
 */
export function normalizeUsername(username: string): string {
  return username.replace(/^@/, '').replace(/[A-Z]/g, (c) => c.toLowerCase());
}

const normalize = normalizeUsername;

/** The roles config gives a GitLab username. */
export function rolesOf(config: SecrelConfig, username: string): Role[] {
  const who = normalize(username);
  return (Object.entries(config.roles) as [Role, string[] | undefined][])
    .filter(([, users]) => (users ?? []).some((u) => normalize(u) === who))
    .map(([role]) => role);
}

/**
 * Whether `actor` may run `command`: the security lead anything; release managers status, done,
 * mr, slip and versions; a task's owners `done` of their own tasks; any configured user status.
 */
export function authorize(
  command: Command,
  actor: string,
  config: SecrelConfig,
  playbook: Playbook,
): Decision {
  const roles = rolesOf(config, actor);
  if (roles.length === 0) {
    return { allowed: false, reason: `@${normalize(actor)} has no role in this release; nothing changed` };
  }
  if (roles.includes('security lead')) return { allowed: true };
  if (command.name === 'status' || command.name === 'help') return { allowed: true };
  if (roles.includes('release managers') && RELEASE_MANAGER_COMMANDS.includes(command.name)) {
    return { allowed: true };
  }
  if (command.name === 'done' || command.name === 'retry') {
    const owners = findTask(playbook, command.taskId)?.owners ?? [];
    if (owners.some((owner) => roles.includes(owner))) return { allowed: true };
    return {
      allowed: false,
      reason: `${command.taskId} belongs to ${owners.join(', ')}; ask them, a release manager or the security lead`,
    };
  }
  const who = RELEASE_MANAGER_COMMANDS.includes(command.name)
    ? 'release managers and the security lead'
    : 'the security lead';
  return { allowed: false, reason: `only ${who} may run ${command.name}; nothing changed` };
}
