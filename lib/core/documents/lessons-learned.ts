import { DateTime } from 'luxon';
import { windowOf } from '../schedule.js';
import { expandTasks } from '../tasks.js';
import type { Playbook } from '../types/playbook.js';
import type { IssueRef, TaskState } from '../types/release.js';
import type { Schedule } from '../types/release-schedule.js';
import { issueLink, utc, utcOfIso } from './format.js';

/**
 * The lessons-learned issue (the seed's "Afterwards"): a timeline generated from the release's
 * own record, so the write-up starts from facts: every task's cutoff, when it was done and by
 * whom, and which cutoffs slipped.
 */

/** One row of the generated timeline. */
export interface TimelineRow {
  readonly key: string;
  readonly text: string;
  readonly phaseTitle: string;
  readonly cutoff?: DateTime;
  readonly status: TaskState['status'];
  readonly at?: string;
  readonly by?: string;
  /** Done after its cutoff, or still open after it at the time of writing. */
  readonly slipped: boolean;
}

/** What the lessons-learned issue is built from. */
export interface LessonsLearnedInput {
  readonly releaseId: string;
  readonly vulnerabilityIssue: IssueRef;
  readonly releaseIssue?: IssueRef;
  readonly versions: readonly string[];
  readonly playbook: Playbook;
  readonly schedule: Schedule;
  readonly tasks: Readonly<Record<string, TaskState>>;
  /** When it is written; an open task past its cutoff counts as slipped. */
  readonly now: DateTime;
}

/** Title of the lessons-learned issue. */
export function lessonsLearnedTitle(releaseId: string): string {
  return `Lessons learned: critical security release ${releaseId}`;
}

/** Timeline rows for every task instance, in playbook order. */
export function timelineRows(input: LessonsLearnedInput): TimelineRow[] {
  return expandTasks(input.playbook, input.versions).map((instance) => {
    const window = windowOf(input.schedule, instance.task.phase);
    const state = input.tasks[instance.key] ?? { status: 'open' as const };
    const cutoff = window?.cutoff;
    const doneAt = state.at ? DateTime.fromISO(state.at, { zone: 'utc' }) : undefined;
    const slipped =
      cutoff !== undefined &&
      (state.status === 'open'
        ? input.now.toMillis() > cutoff.toMillis()
        : doneAt !== undefined && doneAt.toMillis() > cutoff.toMillis());
    return {
      key: instance.key,
      text: instance.task.text,
      phaseTitle: window?.title ?? instance.task.phase,
      ...(cutoff ? { cutoff } : {}),
      status: state.status,
      ...(state.at ? { at: state.at } : {}),
      ...(state.by ? { by: state.by } : {}),
      slipped,
    };
  });
}

/** Pipes would break a Markdown table cell. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s+/g, ' ');
}

/** The lessons-learned issue's description. */
export function lessonsLearnedBody(input: LessonsLearnedInput): string {
  const rows = timelineRows(input);
  const slipped = rows.filter((row) => row.slipped);
  const lines = [
    `Write-up of critical security release \`${input.releaseId}\` (vulnerability ${issueLink(input.vulnerabilityIssue)}${
      input.releaseIssue ? `, release issue ${issueLink(input.releaseIssue)}` : ''
    }).`,
    '',
    `Day one was ${utc(input.schedule.dayOne)}${input.schedule.slipHours ? `, slipped by ${input.schedule.slipHours} hours` : ''}.`,
    '',
    '## Cutoffs that slipped',
    '',
    ...(slipped.length === 0
      ? ['None: every task met its cutoff.']
      : slipped.map(
          (row) =>
            `- \`${row.key}\`: cutoff ${row.cutoff ? utc(row.cutoff) : '—'}, ${
              row.status === 'open' ? 'still open' : `${row.status} ${utcOfIso(row.at)}`
            }`,
        )),
    '',
    '## Timeline',
    '',
    '| Phase | Task | Cutoff | Done | By | Slipped |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows.map(
      (row) =>
        `| ${cell(row.phaseTitle)} | ${cell(row.text)} (\`${row.key}\`) | ${row.cutoff ? utc(row.cutoff) : '—'} | ${
          row.status === 'open' ? 'open' : `${row.status === 'waived' ? 'waived ' : ''}${utcOfIso(row.at)}`
        } | ${row.by ? cell(row.by) : '—'} | ${row.slipped ? 'yes' : 'no'} |`,
    ),
    '',
    '## What went well, what to change',
    '',
    '- ',
  ];
  return lines.join('\n');
}
