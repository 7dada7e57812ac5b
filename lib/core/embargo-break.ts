import { mention } from './documents/mentions.js';
import { isoOf } from './moments.js';
import { replyTarget } from './release/command-reply.js';
import { computeSchedule, nextCutoff, parseDayOne } from './schedule.js';
import type { Change, ReleaseContext } from './transitions.js';
import type { IssueEvent, MergeRequestEvent } from './types/events.js';
import type { ReleaseState } from './types/release.js';

/**
 * Embargo break (DESIGN.md §4.5): the vulnerability issue or the release issue became public
 * before publication. Secrel escalates once, at once, to the security lead and release managers
 * with the runbook, and the release shows "embargo broken". Gates are not touched: nothing is
 * published before the publish gate holds, whatever the hurry.
 */

/** Statuses in which the release is already public by design (secrel lifted confidentiality). */
const PUBLISHED: readonly ReleaseState['status'][] = ['disclosing', 'afterwards', 'completed', 'aborted'];

/** Largest `/secrel expedite` in hours. */
export const MAX_EXPEDITE_HOURS = 72;

function brokenIssue(state: ReleaseState, event: IssueEvent): string | undefined {
  if (event.confidential) return undefined;
  const same = (issue: { projectId: number; iid: number } | undefined) =>
    issue !== undefined && issue.projectId === event.projectId && issue.iid === event.iid;
  if (same(state.vulnerabilityIssue)) return 'vulnerability issue';
  if (same(state.releaseIssue)) return 'release issue';
  return undefined;
}

/** The runbook the escalation carries. */
export function embargoBreakRunbook(what: string, ctx: ReleaseContext): string {
  const people = mention(ctx.config.roles, ['security lead', 'release managers']);
  return [
    `### Embargo broken: the ${what} is public before publication`,
    '',
    `${people}: decide now.`,
    '',
    '1. Assess what became public and who could have seen it; make it confidential again if you can.',
    '2. Either `/secrel expedite <hours>`: every remaining cutoff moves to now + hours (gates unchanged: nothing is published before the publish gate holds),',
    '3. or continue as planned and say so here.',
  ].join('\n');
}

/** The change when an issue event shows the embargo broken; undefined otherwise or once recorded. */
export function applyEmbargoBreak(
  state: ReleaseState,
  event: IssueEvent,
  ctx: ReleaseContext,
): Change | undefined {
  if (state.embargoBrokenAt !== undefined || PUBLISHED.includes(state.status)) return undefined;
  const what = brokenIssue(state, event);
  if (what === undefined) return undefined;
  return embargoBroken(state, what, event.actor, ctx);
}

/**
 * The change when an MR event shows the embargo broken: the MR's project is public and the MR is
 * one of the release's (joined, linked) or references its issues (`related`), before publication
 * started. Publication pushes the fix to public projects by design, so from `publishing` on an MR
 * in a public project is expected.
 */
export function applyMergeRequestEmbargoBreak(
  state: ReleaseState,
  event: MergeRequestEvent,
  related: boolean,
  ctx: ReleaseContext,
): Change | undefined {
  if (event.projectPublic !== true || !related) return undefined;
  if (state.embargoBrokenAt !== undefined || state.status === 'publishing') return undefined;
  if (PUBLISHED.includes(state.status)) return undefined;
  return embargoBroken(state, `security MR !${event.iid} (project ${event.projectId})`, event.actor, ctx);
}

/** One change after another on the same release: `second` was computed on `first`'s state. */
export function followedBy(first: Change | undefined, second: Change | undefined): Change | undefined {
  if (first === undefined || second === undefined) return second ?? first;
  return {
    state: second.state,
    timeline: [...first.timeline, ...second.timeline],
    effects: [...first.effects, ...second.effects],
  };
}

function embargoBroken(state: ReleaseState, what: string, actor: string, ctx: ReleaseContext): Change {
  const at = isoOf(ctx.now);
  const target = replyTarget(state);
  return {
    state: { ...state, embargoBrokenAt: at },
    timeline: [
      {
        at,
        kind: 'embargo-broken',
        summary: `embargo broken: the ${what} was made public`,
        actor,
      },
    ],
    effects: [
      { type: 'reply', issue: target, body: embargoBreakRunbook(what, ctx) },
      {
        type: 'notify',
        roles: ['security lead', 'release managers'],
        message: `Security release ${state.id}: embargo broken (the ${what} is public before publication). See the release issue now.`,
      },
    ],
  };
}

/**
 * The whole-hour slip that moves the next remaining cutoff to `now + hours` at the latest (whole
 * hours); every later cutoff moves with it. Undefined without Day one or with no cutoff ahead.
 */
export function expediteSlip(state: ReleaseState, hours: number, ctx: ReleaseContext): number | undefined {
  if (state.dayOne === undefined) return undefined;
  const schedule = computeSchedule(ctx.playbook, parseDayOne(state.dayOne), state.slipHours);
  const next = nextCutoff(schedule, ctx.now);
  if (next === undefined) return undefined;
  const target = ctx.now.plus({ hours });
  const delta = Math.floor(target.diff(next.at, 'hours').hours);
  return state.slipHours + Math.min(0, delta);
}
