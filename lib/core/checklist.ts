import { extractLivingSection } from './documents/living-section.js';
import { isoOf } from './moments.js';
import { authorize } from './permissions.js';
import { findTask } from './playbook-lookup.js';
import { parseTaskKey } from './tasks.js';
import type { Change, ReleaseContext } from './transitions.js';
import type { IssueEvent } from './types/events.js';
import type { Effect, ReleaseState, TaskState, TimelineEntry } from './types/release.js';

/**
 * The two-way checklist (DESIGN.md §7): a person ticking a box in the living section of the
 * release issue is `/secrel done` by that person, under the same permissions; unticking reopens a
 * manual task. A refused tick is answered once; the section is then rewritten from the release,
 * which puts the box back. Secrel's own rewrites never count as ticks: when secrel ticks a box it
 * also rewrites the rest of the line ("due …" becomes "done by …"), while a person's click in
 * GitLab changes only the box.
 */

/** A box of the section: ticked or not, and the rest of its line. */
interface Box {
  readonly ticked: boolean;
  readonly rest: string;
}

const BOX_LINE = /^- \[([ xX])\] `([^`]+)`(.*)$/;

/** The boxes of secrel's section in a description, by task key. */
export function sectionBoxes(description: string): Map<string, Box> {
  const boxes = new Map<string, Box>();
  for (const line of (extractLivingSection(description) ?? '').split(/\r?\n/)) {
    const match = BOX_LINE.exec(line.trim());
    if (match?.[2] !== undefined) boxes.set(match[2], { ticked: match[1] !== ' ', rest: match[3] ?? '' });
  }
  return boxes;
}

/** Boxes a person clicked between two descriptions: the box changed and nothing else on its line. */
export function clickedBoxes(previous: string, current: string): { key: string; ticked: boolean }[] {
  const before = sectionBoxes(previous);
  const clicked: { key: string; ticked: boolean }[] = [];
  for (const [key, box] of sectionBoxes(current)) {
    const old = before.get(key);
    if (old !== undefined && old.ticked !== box.ticked && old.rest === box.rest) {
      clicked.push({ key, ticked: box.ticked });
    }
  }
  return clicked;
}

function isReleaseIssue(state: ReleaseState, event: IssueEvent): boolean {
  const issue = state.releaseIssue;
  return issue !== undefined && issue.projectId === event.projectId && issue.iid === event.iid;
}

/** The change a person's edit of the release issue's checklist makes; undefined when none. */
export function applyChecklist(
  state: ReleaseState,
  event: IssueEvent,
  ctx: ReleaseContext,
): Change | undefined {
  const change = event.descriptionChange;
  if (change === undefined || !isReleaseIssue(state, event)) return undefined;
  const clicks = clickedBoxes(change.previous, change.current);
  if (clicks.length === 0) return undefined;
  const at = isoOf(ctx.now);
  const actor = event.actor;
  let tasks: Record<string, TaskState> = { ...state.tasks };
  const timeline: TimelineEntry[] = [];
  const refusals: string[] = [];
  for (const { key, ticked } of clicks) {
    const task = tasks[key];
    if (task === undefined) continue;
    const settled = task.status === 'done' || task.status === 'waived';
    // The box already shows the release as it is: nothing to do (an echo, or two people at once).
    if (settled === ticked) continue;
    const { taskId } = parseTaskKey(key);
    const kind = findTask(ctx.playbook, taskId)?.completion.kind;
    const decision = authorize({ name: 'done', taskId }, actor, ctx.config, ctx.playbook);
    if (!decision.allowed) {
      refusals.push(`the box of ${key} was put back: ${decision.reason}`);
      continue;
    }
    if (kind === 'automated') {
      refusals.push(`the box of ${key} was put back: secrel performs it itself`);
      continue;
    }
    if (ticked) {
      tasks = { ...tasks, [key]: { status: 'done', by: actor, at, via: 'command' } };
      timeline.push({ at, kind: 'task-done', summary: `${key} ticked done by @${actor}`, actor });
    } else if (kind === 'manual') {
      tasks = { ...tasks, [key]: { status: 'open' } };
      timeline.push({ at, kind: 'task-reopened', summary: `${key} unticked: reopened by @${actor}`, actor });
    } else {
      refusals.push(`the box of ${key} was put back: secrel ticks it when GitLab shows it done`);
    }
  }
  const effects: Effect[] = [];
  if (refusals.length > 0) {
    timeline.push({ at, kind: 'tick-refused', summary: `a checklist edit by @${actor} was refused`, actor });
    effects.push({
      type: 'reply',
      issue: { projectId: event.projectId, iid: event.iid },
      body: `secrel: @${actor}, ${refusals.join('; ')}.`,
    });
  }
  if (timeline.length === 0) return undefined;
  return { state: { ...state, tasks }, timeline, effects };
}
