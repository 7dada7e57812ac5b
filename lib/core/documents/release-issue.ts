import { windowOf } from '../schedule.js';
import { instancesOfTask } from '../tasks.js';
import type { Playbook, Task } from '../types/playbook.js';
import type { IssueRef } from '../types/release.js';
import type { Schedule } from '../types/release-schedule.js';
import { issueLink, utc, versionList } from './format.js';
import { mention, type RoleMap } from './mentions.js';

/**
 * The body of the confidential release issue: the seed's "rough template" filled in from the
 * playbook, so the checklist, owners and cutoffs come from one place (DESIGN.md §3).
 */

/** What the release issue body is built from. */
export interface ReleaseIssueInput {
  readonly releaseId: string;
  readonly vulnerabilityIssue: IssueRef;
  readonly versions: readonly string[];
  readonly playbook: Playbook;
  /** Absent while Day one is not set: cutoffs then say how to set it. */
  readonly schedule?: Schedule;
  readonly roles: RoleMap;
}

/** Title of the release issue. It names the release id only: the vulnerability stays in its own issue. */
export function releaseIssueTitle(releaseId: string): string {
  return `Critical security release ${releaseId}`;
}

/** One checklist line per task instance: `- [ ] text (17.5) — owners — /secrel done id@17.5`. */
export function checklistLines(task: Task, versions: readonly string[], roles: RoleMap): string[] {
  const instances = instancesOfTask(task, versions);
  const how =
    task.completion.kind === 'automated'
      ? 'secrel does this'
      : task.completion.kind === 'observed'
        ? 'secrel sees this in GitLab'
        : undefined;
  const owners = mention(roles, task.owners);
  if (instances.length === 0) return [`- [ ] ${task.text} — ${owners} — once affected versions are set`];
  return instances.map((instance) => {
    const forVersion = instance.version ? ` (${instance.version})` : '';
    const done = how ?? `\`/secrel done ${instance.key}\``;
    return `- [ ] ${task.text}${forVersion} — ${owners} — ${done}`;
  });
}

/** The release issue's description. */
export function releaseIssueBody(input: ReleaseIssueInput): string {
  const { playbook, schedule, roles, versions } = input;
  const lines: string[] = [
    `This is the confidential issue of critical security release \`${input.releaseId}\`.`,
    '',
    `- Vulnerability issue: ${issueLink(input.vulnerabilityIssue)}`,
    `- Affected versions that receive a patch: ${versionList(versions)}`,
    `- Day one: ${schedule ? utc(schedule.dayOne) : 'not set yet (`/secrel start YYYY-MM-DD`)'}`,
    ...(schedule && schedule.slipHours !== 0 ? [`- Slipped by ${schedule.slipHours} hours`] : []),
    '',
    'All times are UTC. Comment `/secrel status` for where the release stands.',
  ];
  for (const phase of playbook.phases) {
    const window = schedule ? windowOf(schedule, phase.id) : undefined;
    lines.push(
      '',
      `## ${phase.title}`,
      '',
      `Cutoff: ${window ? utc(window.cutoff) : 'set when Day one is set'}`,
      '',
    );
    for (const task of playbook.tasks.filter((t) => t.phase === phase.id)) {
      lines.push(...checklistLines(task, versions, roles));
    }
  }
  return lines.join('\n');
}
