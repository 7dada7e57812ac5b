import type { DateTime } from 'luxon';
import { evaluateGate, phaseGate } from '../../core/gates.js';
import type { Playbook } from '../../core/types/playbook.js';
import type { ReleaseState, TimelineEntry } from '../../core/types/release.js';
import type { Schedule } from '../../core/types/release-schedule.js';

/**
 * What the dashboard puts first (DESIGN.md §7): failed steps and refused claims with the command
 * that resolves them, the embargo break, and cutoffs passed with work still open, as
 * "overdue by 3 h 12 min". Texts are ids and kinds only, like the timeline they come from.
 */

/** One line of the trouble banner. */
export interface TroubleItem {
  readonly kind: 'failed-step' | 'refused' | 'embargo-broken' | 'overdue';
  readonly text: string;
  /** The command that resolves it, when one does. */
  readonly command?: string;
}

/** How many refused commands or ticks the banner shows, latest first. */
const REFUSALS_SHOWN = 3;

/** A positive duration as people say it: `3 h 12 min`, `1 d 2 h`, `5 min`, never `00:00:00`. */
export function spellDuration(millis: number): string {
  const minutes = Math.max(1, Math.floor(millis / 60_000));
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const rest = minutes % 60;
  const parts: string[] = [];
  if (days > 0) parts.push(`${days} d`);
  if (hours > 0) parts.push(`${hours} h`);
  if (rest > 0 && days === 0) parts.push(`${rest} min`);
  return parts.join(' ') || '1 min';
}

/** Overdue phases: cutoff passed, phase gate not holding. */
function overdue(
  state: ReleaseState,
  playbook: Playbook,
  schedule: Schedule | undefined,
  now: DateTime,
): TroubleItem[] {
  if (schedule === undefined || state.status === 'aborted' || state.status === 'completed') return [];
  const items: TroubleItem[] = [];
  for (const window of schedule.phases) {
    const late = now.toMillis() - window.cutoff.toMillis();
    if (late <= 0) continue;
    const { holds, missing } = evaluateGate(state, phaseGate(window.phase), playbook);
    if (holds) continue;
    items.push({
      kind: 'overdue',
      text: `${window.title}: overdue by ${spellDuration(late)} (${missing.length} open)`,
      command: '/secrel status',
    });
  }
  return items;
}

/** The banner's items, most urgent first. */
export function troubleOf(
  state: ReleaseState,
  timeline: readonly TimelineEntry[],
  playbook: Playbook,
  schedule: Schedule | undefined,
  now: DateTime,
): TroubleItem[] {
  const items: TroubleItem[] = [];
  if (state.embargoBrokenAt !== undefined) {
    items.push({
      kind: 'embargo-broken',
      text: `Embargo broken at ${state.embargoBrokenAt.slice(0, 16).replace('T', ' ')} UTC`,
      command: '/secrel expedite <hours>',
    });
  }
  for (const [gate, stored] of Object.entries(state.gates)) {
    if (stored.status !== 'failed') continue;
    const key = gate.startsWith('pipeline:') ? gate.slice('pipeline:'.length) : undefined;
    items.push({
      kind: 'failed-step',
      text: `Failed: ${gate}`,
      ...(key ? { command: `/secrel retry ${key}` } : {}),
    });
  }
  for (const entry of timeline.filter((e) => e.kind === 'action-failed').slice(-REFUSALS_SHOWN)) {
    items.push({ kind: 'failed-step', text: entry.summary, command: '/secrel retry <task>' });
  }
  const refused = timeline.filter((e) => e.kind === 'command-refused' || e.kind === 'tick-refused');
  for (const entry of refused.slice(-REFUSALS_SHOWN).reverse()) {
    items.push({ kind: 'refused', text: entry.summary, command: '/secrel help' });
  }
  items.push(...overdue(state, playbook, schedule, now));
  return items;
}
