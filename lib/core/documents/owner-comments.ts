import type { DateTime } from 'luxon';
import type { Role } from '../types/playbook.js';
import { utc } from './format.js';
import { mention, type RoleMap } from './mentions.js';

/**
 * Comments secrel writes on the confidential release issue to steer people (DESIGN.md §7):
 * the owners at the start of a phase, a reminder two hours before a cutoff, an escalation at a
 * missed cutoff, a nudge for a manual follow-up, and the stop after a failed publication.
 */

/** A task instance as owners see it in a comment. */
export interface OwnedTask {
  /** Task key (`cherry-pick@17.4`), what `/secrel done` takes. */
  readonly key: string;
  /** The seed's wording. */
  readonly text: string;
  readonly owners: readonly Role[];
  /** Manual tasks are ticked by people; others are seen or done by secrel. */
  readonly manual: boolean;
  /** An automated task with nothing configured to do it: its owners do it by hand (skipped is never done). */
  readonly byHand?: boolean;
}

/** The roles owning any of the tasks, each once, in first-seen order. */
export function ownersOf(tasks: readonly OwnedTask[]): Role[] {
  const roles: Role[] = [];
  for (const task of tasks) for (const role of task.owners) if (!roles.includes(role)) roles.push(role);
  return roles;
}

function taskLine(task: OwnedTask, roles: RoleMap): string {
  const done = task.manual
    ? ` — \`/secrel done ${task.key}\``
    : task.byHand
      ? ` — nothing is configured for it: do it by hand, then \`/secrel done ${task.key}\``
      : '';
  return `- ${task.text} (\`${task.key}\`) — ${mention(roles, task.owners)}${done}`;
}

/** Input of {@link phaseStartComment}. */
export interface PhaseStartInput {
  readonly phaseTitle: string;
  /** The phase's cutoff; absent in First steps before Day one is set. */
  readonly cutoff?: DateTime;
  readonly tasks: readonly OwnedTask[];
  /** Tasks of earlier phases still neither done nor waived; their owners hear about them again. */
  readonly leftOpen?: readonly OwnedTask[];
  readonly roles: RoleMap;
}

/** The one comment at the start of a phase: who owns what, and by when. */
export function phaseStartComment(input: PhaseStartInput): string {
  const owners = ownersOf(input.tasks);
  const by = input.cutoff
    ? `by **${utc(input.cutoff)}**`
    : 'before Day one (set it with `/secrel start YYYY-MM-DD`)';
  const lines = [
    `### ${input.phaseTitle} has started`,
    '',
    owners.length > 0
      ? `${mention(input.roles, owners)}: these tasks are due ${by}.`
      : `Nothing is due ${by}.`,
    '',
    ...input.tasks.map((task) => taskLine(task, input.roles)),
    ...leftOpenLines(input.leftOpen ?? [], input.roles),
  ];
  return lines.join('\n');
}

function leftOpenLines(open: readonly OwnedTask[], roles: RoleMap): string[] {
  if (open.length === 0) return [];
  return [
    '',
    `Still open from earlier phases (${mention(roles, ownersOf(open))}):`,
    '',
    ...open.map((task) => taskLine(task, roles)),
  ];
}

/** Input of {@link reminderComment}. */
export interface ReminderInput {
  /** What the cutoff closes, for people (`Day two`, `publication`). */
  readonly what: string;
  readonly cutoff: DateTime;
  readonly open: readonly OwnedTask[];
  /** Other things still missing (an unmerged MR), non-confidential. */
  readonly missing?: readonly string[];
  readonly roles: RoleMap;
}

/** The reminder two hours before a cutoff, to the owners of what is still open. */
export function reminderComment(input: ReminderInput): string {
  const owners = ownersOf(input.open);
  const lines = [
    `### Reminder: ${input.what} cutoff at ${utc(input.cutoff)}`,
    '',
    `${owners.length > 0 ? `${mention(input.roles, owners)}: still` : 'Still'} open two hours before the cutoff:`,
    '',
    ...input.open.map((task) => taskLine(task, input.roles)),
    ...(input.missing ?? []).map((item) => `- ${item}`),
  ];
  return lines.join('\n');
}

/** Roles told at every missed cutoff besides the owners (DESIGN.md §7). */
export const ESCALATION_ROLES: readonly Role[] = ['security lead', 'release managers'];

/** Input of {@link escalationComment}. */
export interface EscalationInput {
  readonly what: string;
  /** The cutoff that was missed. */
  readonly missedCutoff: DateTime;
  /** When secrel escalates again if it is still late. */
  readonly nextEscalation: DateTime;
  readonly late: readonly OwnedTask[];
  readonly missing: readonly string[];
  readonly roles: RoleMap;
}

/** The escalation at a missed cutoff: owners, the security lead and release managers, what is late. */
export function escalationComment(input: EscalationInput): string {
  const people = mention(input.roles, [...ownersOf(input.late), ...ESCALATION_ROLES]);
  const lines = [
    `### Late: ${input.what} missed its cutoff of ${utc(input.missedCutoff)}`,
    '',
    `${people}: the release waits until this is done. Nothing is published by default.`,
    '',
    ...input.late.map((task) => taskLine(task, input.roles)),
    ...input.missing.map((item) => `- ${item}`),
    '',
    `secrel asks again at ${utc(input.nextEscalation)} if it is still late.`,
  ];
  return lines.join('\n');
}

/**
 * A nudge to do a manual follow-up now (the CVE notice, the HackerOne disclosure approval once
 * everything is public); `links` are extra lines, e.g. the reports to approve.
 */
export function askOwnersComment(task: OwnedTask, roles: RoleMap, links: readonly string[] = []): string {
  return [
    `### Please do now: ${task.text}`,
    '',
    `${mention(roles, task.owners)}: everything is published and disclosed; this is yours next.`,
    '',
    taskLine(task, roles),
    ...(links.length > 0 ? ['', ...links] : []),
  ].join('\n');
}

/** The stop after a publish action failed for good: release managers decide, nothing is disclosed. */
export function publishFailedComment(error: string, roles: RoleMap): string {
  return [
    '### Publication failed',
    '',
    `${mention(roles, ['release managers', 'security lead'])}: a publish action failed for good (\`${error}\`).`,
    'Publication stopped: confidentiality stays, reporters are not thanked and no disclosure is approved.',
    'Fix the cause, then re-drive the release; actions that already succeeded are not repeated.',
  ].join('\n');
}
