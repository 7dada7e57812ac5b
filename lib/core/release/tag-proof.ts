import { configuredProject } from '../config.js';
import { isoOf } from '../moments.js';
import { expandTasks } from '../tasks.js';
import type { Change, ReleaseContext } from '../transitions.js';
import type { ReleaseHookEvent, TagPushEvent } from '../types/events.js';
import type { Playbook } from '../types/playbook.js';
import type { ReleaseState, TagProof, TaskState, TimelineEntry } from '../types/release.js';

/**
 * Tags and GitLab releases as proof that code went out (issue #10 item 7). A tag or release
 * naming the patch version of an affected version, in a configured project, is recorded per
 * version and completes the tasks the playbook marks `provenBy: 'tag'`, but only once
 * publication is under way: before the publish gate holds it proves nothing (nothing is public
 * without proof) and is an embargo risk, so it goes on the timeline as a refused early claim and
 * the security lead and release managers are told.
 */

/** Who tag proofs are attributed to: GitLab saw them, no user command did. */
const GITLAB = 'gitlab';

/**
 * A patch version tag: `v17.5.3`, `17.5.3`, `17.5.3-ee`, `v17.5.3-ce`, `17.5.3+ee.0`. Release
 * candidates (`17.5.3-rc1`) and anything else name no release.
 */
const PATCH_TAG = /^v?(\d+)\.(\d+)\.(\d+)(?:[-+](?:ee|ce)(?:\.\d+)?)?$/;

/** The affected version (`17.5`) and patch version (`17.5.3`) a tag names, if it names one. */
export function patchVersionOfTag(tag: string): { version: string; patchVersion: string } | undefined {
  const match = PATCH_TAG.exec(tag.replace(/^refs\/tags\//, ''));
  if (!match) return undefined;
  const [, major, minor, patch] = match.map((part) => (part === undefined ? part : String(Number(part))));
  return { version: `${major}.${minor}`, patchVersion: `${major}.${minor}.${patch}` };
}

/** Whether publication is under way: the publish gate held, or the publish block already started. */
export function publicationUnderway(state: ReleaseState): boolean {
  return (
    state.gates.publish?.status === 'open' ||
    state.status === 'publishing' ||
    state.status === 'disclosing' ||
    state.status === 'afterwards'
  );
}

/** The patch version known for an affected version, from a tag or release that proved it. */
export function provenPatchVersion(state: ReleaseState, version: string): string | undefined {
  return state.tags?.[version]?.patchVersion;
}

function tagOf(event: TagPushEvent | ReleaseHookEvent): string | undefined {
  if (event.kind === 'release') return event.action === 'delete' ? undefined : event.tag;
  // A deleted tag takes no code back from the public: it neither proves nor unproves anything.
  if (event.deleted) return undefined;
  return event.tag ?? event.ref.replace(/^refs\/tags\//, '');
}

/** Applies a Tag Push or Release Hook to a release; undefined when it is not this release's business. */
export function applyTag(
  state: ReleaseState,
  event: TagPushEvent | ReleaseHookEvent,
  ctx: ReleaseContext,
): Change | undefined {
  if (configuredProject(ctx.config, event.projectId) === undefined) return undefined;
  const tag = tagOf(event);
  const named = tag === undefined ? undefined : patchVersionOfTag(tag);
  if (tag === undefined || named === undefined || !state.versions.includes(named.version)) return undefined;
  if (state.tags?.[named.version] !== undefined) return undefined; // the first proof stands
  const at = isoOf(ctx.now);
  const source = event.kind === 'release' ? 'release' : 'tag';
  const what = `${source === 'release' ? 'GitLab release' : 'tag'} ${tag} in ${event.projectPath}`;
  if (!publicationUnderway(state)) {
    // Kept off the state on purpose: an early claim proves nothing, and the state stays the same
    // whatever order such claims arrive in (ingress already drops redeliveries).
    return {
      state,
      timeline: [
        {
          at,
          kind: 'tag-refused',
          summary: `${what} seen before the publish gate held: not proof of publication; embargo risk`,
        },
      ],
      effects: [
        {
          type: 'notify',
          roles: ['security lead', 'release managers'],
          message: `secrel: release ${state.id}: ${what} appeared before the publish gate held. It proves nothing; if it is public, the fix may be visible before publication (embargo risk).`,
        },
      ],
    };
  }
  const seen: TagProof = {
    tag,
    patchVersion: named.patchVersion,
    projectId: event.projectId,
    projectPath: event.projectPath,
    source,
    seenAt: event.updatedAt,
  };
  const withTag: ReleaseState = { ...state, tags: { ...state.tags, [named.version]: seen } };
  const proven = proveTasks(withTag, ctx.playbook, at);
  return {
    state: { ...withTag, tasks: proven.tasks },
    timeline: [
      { at, kind: 'tag-seen', summary: `${what} proves ${named.patchVersion} published` },
      ...proven.timeline,
    ],
    effects: [],
  };
}

/**
 * Completes the open tasks the playbook says a tag proves: a per-version task when its version is
 * proven, a once-per-release task when every affected version is.
 */
function proveTasks(
  state: ReleaseState,
  playbook: Playbook,
  at: string,
): { tasks: Record<string, TaskState>; timeline: TimelineEntry[] } {
  const tasks: Record<string, TaskState> = { ...state.tasks };
  const timeline: TimelineEntry[] = [];
  const proven = (version: string) => provenPatchVersion(state, version) !== undefined;
  for (const { key, task, version } of expandTasks(playbook, state.versions)) {
    if (task.provenBy !== 'tag') continue;
    const current = tasks[key] ?? { status: 'open' };
    if (current.status !== 'open') continue;
    const holds = version === undefined ? state.versions.every(proven) : proven(version);
    if (!holds) continue;
    tasks[key] = { ...current, status: 'done', by: GITLAB, at, via: 'signal' };
    timeline.push({ at, kind: 'task-done', summary: `${key} done: tags observed`, actor: GITLAB });
  }
  return { tasks, timeline };
}
