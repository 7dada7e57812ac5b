import { fixLines } from '../mr-provenance.js';
import { readinessReasons } from '../readiness.js';
import { computeSchedule, parseDayOne, windowOf } from '../schedule.js';
import { expandTasks, type TaskInstance } from '../tasks.js';
import type { Playbook } from '../types/playbook.js';
import type { MergeRequestState, ReleaseState, TaskState } from '../types/release.js';
import type { Schedule } from '../types/release-schedule.js';
import { releaseWarnings } from '../warnings.js';
import { issueLink, utc, utcOfIso, versionList } from './format.js';
import { mention, type RoleMap } from './mentions.js';

/**
 * The living section of the release issue description (DESIGN.md §7): secrel owns the text between
 * two HTML comment markers and rewrites it whenever the release changes; what people write
 * around it is theirs and is never touched.
 */

/** Opens secrel's section; GitLab renders HTML comments as nothing. */
export const SECTION_START =
  '<!-- secrel:cockpit:start (secrel rewrites everything up to the end marker) -->';
/** Closes secrel's section. */
export const SECTION_END = '<!-- secrel:cockpit:end -->';

/** The branch name of the default branch in the MR matrix (MergeRequestState.version). */
const MAIN_LINE = 'main';

/** What the section is built from: the stored release and the process. */
export interface LivingSectionInput {
  readonly state: ReleaseState;
  readonly playbook: Playbook;
  readonly roles: RoleMap;
}

/** The schedule of a release with Day one, else undefined. */
function scheduleOf(state: ReleaseState, playbook: Playbook): Schedule | undefined {
  return state.dayOne === undefined
    ? undefined
    : computeSchedule(playbook, parseDayOne(state.dayOne), state.slipHours);
}

/** Failed steps a person must resolve, each with the command that resolves it. */
export function failedSteps(state: ReleaseState): string[] {
  const failed: string[] = [];
  for (const [gate, stored] of Object.entries(state.gates)) {
    if (stored.status !== 'failed') continue;
    const key = gate.startsWith('pipeline:') ? gate.slice('pipeline:'.length) : undefined;
    const how = key ? `\`/secrel retry ${key}\` or \`/secrel done ${key}\`` : 'see the timeline';
    failed.push(`gate \`${gate}\` failed at ${utcOfIso(stored.failedAt)}: ${how}`);
  }
  return failed;
}

/** Why a security MR is not ready yet, or that it is merged or ready. */
function readiness(state: ReleaseState, mr: MergeRequestState): string {
  if (mr.state === 'merged') return 'merged';
  if (mr.state !== 'opened') return mr.state;
  const reasons = readinessReasons(state, mr);
  return reasons.length === 0 ? 'ready to merge' : `not ready: ${reasons.join('; ')}`;
}

/** The security MR matrix: one row per affected version and the main line. */
function mergeRequestRows(state: ReleaseState): string[] {
  const rows = ['| Version | Merge request | Ready? |', '| --- | --- | --- |'];
  const all = Object.values(state.mergeRequests);
  for (const version of [...state.versions, MAIN_LINE]) {
    const mrs = all.filter((mr) => mr.version === version).sort((a, b) => a.iid - b.iid);
    if (mrs.length === 0) rows.push(`| ${version} | none yet | — |`);
    for (const mr of mrs) rows.push(`| ${version} | !${mr.iid} | ${readiness(state, mr)} |`);
  }
  return rows;
}

/** How a task instance stands, for its checklist line. */
function taskStanding(task: TaskState | undefined, due: string | undefined): string {
  if (task?.status === 'done') return `done by @${task.by ?? 'unknown'} at ${utcOfIso(task.at)}`;
  if (task?.status === 'waived') return `waived by @${task.by ?? 'unknown'} at ${utcOfIso(task.at)}`;
  return due === undefined ? 'due once Day one is set' : `due ${due}`;
}

/** One checklist line: ticked when done or waived; the key in code so a tick can be read back. */
export function livingTaskLine(
  instance: TaskInstance,
  task: TaskState | undefined,
  roles: RoleMap,
  due: string | undefined,
): string {
  const settled = task?.status === 'done' || task?.status === 'waived';
  const forVersion = instance.version ? ` (${instance.version})` : '';
  const owners = mention(roles, instance.task.owners);
  return `- [${settled ? 'x' : ' '}] \`${instance.key}\` ${instance.task.text}${forVersion} — ${owners} — ${taskStanding(task, due)}`;
}

/** The section's content between the markers (markers included). Pure: same release, same text. */
export function livingSection(input: LivingSectionInput): string {
  const { state, playbook, roles } = input;
  const schedule = scheduleOf(state, playbook);
  const lines: string[] = [
    SECTION_START,
    '## Release cockpit',
    '',
    '_Kept current by secrel. Tick a box to mark that task done; all times UTC._',
    '',
    `- Status: **${state.status}**, phase ${playbook.phases.find((p) => p.id === state.phase)?.title ?? state.phase}`,
    `- Vulnerability issue: ${issueLink(state.vulnerabilityIssue)}`,
    `- Affected versions: ${versionList(state.versions)}`,
    `- Day one: ${schedule ? utc(schedule.dayOne) : 'not set yet (`/secrel start YYYY-MM-DD`)'}${
      state.slipHours !== 0 ? ` (every cutoff slipped by ${state.slipHours} h)` : ''
    }`,
  ];
  if (state.cveId) lines.push(`- CVE: ${state.cveId}`);
  if ((state.hackerOneReports ?? []).length > 0) {
    lines.push(
      `- HackerOne: ${(state.hackerOneReports ?? []).map((id) => `https://hackerone.com/reports/${id}`).join(', ')}`,
    );
  }
  if (state.status === 'aborted') lines.push('- **This release was aborted.**');
  const warnings = releaseWarnings(state, playbook);
  const failed = failedSteps(state);
  const broken =
    state.embargoBrokenAt === undefined
      ? []
      : [
          `**Embargo broken** at ${utcOfIso(state.embargoBrokenAt)}: assess, then \`/secrel expedite <hours>\` or continue as planned`,
        ];
  if (warnings.length + failed.length + broken.length > 0) {
    lines.push('', '### Warnings', '');
    for (const line of broken) lines.push(`- ${line}`);
    for (const failure of failed) lines.push(`- **Failed:** ${failure}`);
    for (const warning of warnings) lines.push(`- ${warning}`);
  }
  lines.push('', '### Security merge requests', '', ...mergeRequestRows(state));
  // Which MR the publish gate counts as each version's fix, and why another does not count.
  const fixes = [...state.versions, MAIN_LINE].flatMap((version) => fixLines(state, version));
  if (fixes.length > 0) lines.push('', '#### Fixes', '', ...fixes.map((line) => `- ${line}`));
  const instances = expandTasks(playbook, state.versions);
  for (const phase of playbook.phases) {
    const window = schedule ? windowOf(schedule, phase.id) : undefined;
    const due = window ? utc(window.cutoff) : undefined;
    lines.push('', `### ${phase.title}`, '', `Cutoff: ${due ?? 'set when Day one is set'}`, '');
    const ofPhase = playbook.tasks.filter((t) => t.phase === phase.id);
    for (const task of ofPhase) {
      const mine = instances.filter((i) => i.task.id === task.id);
      if (mine.length === 0) {
        lines.push(`- [ ] ${task.text} — ${mention(roles, task.owners)} — once affected versions are set`);
      }
      for (const instance of mine)
        lines.push(livingTaskLine(instance, state.tasks[instance.key], roles, due));
    }
  }
  lines.push(SECTION_END);
  return lines.join('\n');
}

/** Where secrel's section sits in a description, or undefined when it has none (or it is damaged). */
function sectionBounds(description: string): { start: number; end: number } | undefined {
  const start = description.indexOf(SECTION_START);
  if (start < 0) return undefined;
  const endMarker = description.indexOf(SECTION_END, start);
  if (endMarker < 0) return undefined;
  return { start, end: endMarker + SECTION_END.length };
}

/** The section as it stands in a description, markers included, or undefined. */
export function extractLivingSection(description: string): string | undefined {
  const bounds = sectionBounds(description);
  return bounds === undefined ? undefined : description.slice(bounds.start, bounds.end);
}

/**
 * The description with secrel's section replaced by `section`; everything outside it kept byte for
 * byte. A description without the section (or with a damaged one) gets it appended.
 */
export function replaceLivingSection(description: string, section: string): string {
  const bounds = sectionBounds(description);
  if (bounds === undefined) {
    const kept = description.trimEnd();
    return kept === '' ? section : `${kept}\n\n${section}`;
  }
  return description.slice(0, bounds.start) + section + description.slice(bounds.end);
}

/** The description the release issue is created with: a short header people may edit, then the section. */
export function releaseIssueDescription(input: LivingSectionInput): string {
  return [
    `This is the confidential issue of critical security release \`${input.state.id}\`.`,
    'Comment `/secrel status` for where the release stands, `/secrel help` for what you may run.',
    '',
    livingSection(input),
  ].join('\n');
}
