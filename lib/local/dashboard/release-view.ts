import type { DateTime } from 'luxon';
import { DEFAULT_PLAYBOOK } from '../../core/default-playbook.js';
import { isoOf } from '../../core/moments.js';
import { fixLines } from '../../core/mr-provenance.js';
import { readinessReasons } from '../../core/readiness.js';
import { computeSchedule, nextCutoff, parseDayOne } from '../../core/schedule.js';
import { mergedFor, mergeRequestsFor } from '../../core/signals.js';
import { expandTasks, taskKey } from '../../core/tasks.js';
import type { PhaseId, Playbook, Role } from '../../core/types/playbook.js';
import type { ReleaseState, ReleaseStatus, TaskState, TimelineEntry } from '../../core/types/release.js';
import type { Schedule } from '../../core/types/release-schedule.js';
import { releaseWarnings } from '../../core/warnings.js';
import type { ExecutionView } from '../engine/index.js';
import { type TroubleItem, troubleOf } from './trouble.js';

/**
 * What `GET /api/releases/:id` answers in local mode (DESIGN.md §8): the facts a release manager
 * looks for, derived from the stored state and the playbook. Gate tokens never leave the server,
 * and nothing confidential is in the state to begin with (no issue titles or descriptions).
 */

/** One phase of the four days, with its UTC cutoff as seen on the release clock. */
export interface PhaseView {
  readonly id: PhaseId;
  readonly title: string;
  readonly start: string | null;
  readonly cutoff: string;
  readonly current: boolean;
  /** The cutoff is behind the release clock. */
  readonly passed: boolean;
}

/** One task of the release (a playbook task, or one of its per-version instances). */
export interface TaskView {
  readonly key: string;
  readonly id: string;
  readonly text: string;
  readonly phase: PhaseId;
  readonly owners: readonly Role[];
  /** GitLab usernames of the owner roles, from config. */
  readonly ownerUsers: readonly string[];
  readonly completion: 'automated' | 'observed' | 'manual';
  readonly version?: string;
  readonly status: TaskState['status'];
  /** Who completed or waived it (a GitLab username, or `secrel`). */
  readonly by?: string;
  readonly at?: string;
  readonly via?: TaskState['via'];
  /** The phase's cutoff; null before Day one is set. */
  readonly due: string | null;
  /** Open past its cutoff, or done after it. */
  readonly late: boolean;
}

/** One row of the versions-by-stage matrix. */
export interface VersionView {
  readonly version: string;
  /** Security MRs for the version (their iids), and whether every live one is merged. */
  readonly mergeRequests: readonly {
    readonly iid: number;
    readonly state: string;
    /** Why it cannot be merged yet (draft, threads, approvals, pipeline, target); empty when ready or merged. */
    readonly notReady: readonly string[];
  }[];
  /** Which MR is the version's fix and why any other is not counted, one line each. */
  readonly fixes: readonly string[];
  readonly merged: boolean;
  readonly packagesBuilt: boolean;
  readonly validated: boolean;
  readonly published: boolean;
  /** The tag or GitLab release that proved the version published (`17.5.3`), once seen. */
  readonly tag?: {
    readonly tag: string;
    readonly patchVersion: string;
    readonly source: 'tag' | 'release';
    readonly projectPath: string;
    readonly seenAt: string;
  };
}

/** A gate as the dashboard shows it: never its token. */
export interface GateView {
  readonly id: string;
  readonly status: 'waiting' | 'open' | 'failed';
  readonly since: string;
  readonly openedAt?: string;
  readonly failedAt?: string;
}

/** The whole answer of `GET /api/releases/:id`. */
export interface ReleaseViewJson {
  readonly id: string;
  readonly status: ReleaseStatus;
  readonly phase: PhaseId;
  readonly phaseTitle: string;
  readonly projectPath: string;
  readonly vulnerabilityIssue: { readonly projectId: number; readonly iid: number; readonly url?: string };
  readonly releaseIssue?: { readonly projectId: number; readonly iid: number; readonly url?: string };
  readonly dayOne: string | null;
  readonly slipHours: number;
  readonly versions: readonly string[];
  /** The release clock's now (local mode may run it fast). */
  readonly now: string;
  /** Release seconds per real second, so the page can run the countdown between polls. */
  readonly speed: number;
  readonly phases: readonly PhaseView[];
  readonly nextCutoff: { readonly phase: PhaseId; readonly title: string; readonly at: string } | null;
  readonly tasks: readonly TaskView[];
  readonly matrix: readonly VersionView[];
  readonly gates: readonly GateView[];
  readonly timeline: readonly TimelineEntry[];
  /** Embargo warnings of the schedule (publication late in the week, embargo over 14 days). */
  readonly warnings: readonly string[];
  /** Attached with `/secrel cve` and `/secrel h1`. */
  readonly cveId?: string;
  readonly hackerOneReports: readonly string[];
  /** When the embargo was seen broken (an issue of the release public before publication). */
  readonly embargoBrokenAt?: string;
  /** Failed steps, refused claims, embargo break and overdue cutoffs: shown first. */
  readonly trouble: readonly TroubleItem[];
  readonly execution?: {
    readonly status: ExecutionView['status'];
    readonly run: number;
    readonly currentState?: string;
    readonly activeStates: readonly string[];
    readonly transitions: number;
  };
  readonly updatedAt: string;
}

/** What the view needs besides the stored release. */
export interface ReleaseViewContext {
  readonly playbook?: Playbook;
  /** The release clock's now. */
  readonly now: () => DateTime;
  readonly speed?: number;
  /** Role → GitLab usernames (config `roles`). */
  readonly roles?: Readonly<Partial<Record<Role, readonly string[]>>>;
  /** The local engine's view of the release's execution, when it has one. */
  readonly execution?: (releaseId: string) => ExecutionView | undefined;
}

function scheduleOf(state: ReleaseState, playbook: Playbook): Schedule | undefined {
  if (!state.dayOne) return undefined;
  try {
    return computeSchedule(playbook, parseDayOne(state.dayOne), state.slipHours);
  } catch {
    // A stored Day one that no longer computes is shown as "not scheduled" rather than failing the page.
    return undefined;
  }
}

/** The release's embargo warnings; none when its stored Day one does not compute. */
function scheduleWarnings(state: ReleaseState, playbook: Playbook): string[] {
  try {
    return releaseWarnings(state, playbook);
  } catch {
    return [];
  }
}

function isDone(state: ReleaseState, key: string): boolean {
  return state.tasks[key]?.status === 'done';
}

function isLate(task: TaskState, due: DateTime | undefined, now: DateTime): boolean {
  if (!due) return false;
  if (task.status === 'open') return now.toMillis() > due.toMillis();
  if (task.status === 'done' && task.at) return Date.parse(task.at) > due.toMillis();
  return false;
}

/** The versions-by-stage matrix: MR merged, packages built, validated, published. */
export function versionMatrix(state: ReleaseState): VersionView[] {
  return state.versions.map((version) => {
    const mrs = mergeRequestsFor(state, version);
    const seen = state.tags?.[version];
    return {
      version,
      mergeRequests: mrs.map((mr) => ({
        iid: mr.iid,
        state: mr.state,
        notReady: readinessReasons(state, mr),
      })),
      fixes: fixLines(state, version),
      merged: mergedFor(state, version).holds,
      packagesBuilt: isDone(state, taskKey('build-packages', version)),
      validated: isDone(state, taskKey('validate-all', version)),
      published: ['publish-packages', 'publish-docker', 'version-entries'].every((id) =>
        isDone(state, taskKey(id, version)),
      ),
      ...(seen
        ? {
            tag: {
              tag: seen.tag,
              patchVersion: seen.patchVersion,
              source: seen.source,
              projectPath: seen.projectPath,
              seenAt: seen.seenAt,
            },
          }
        : {}),
    };
  });
}

/** Builds the release API's answer for one release. */
export function buildReleaseView(
  state: ReleaseState,
  timeline: readonly TimelineEntry[],
  context: ReleaseViewContext,
): ReleaseViewJson {
  const playbook = context.playbook ?? DEFAULT_PLAYBOOK;
  const now = context.now();
  const schedule = scheduleOf(state, playbook);
  const cutoffs = new Map(schedule?.phases.map((w) => [w.phase, w.cutoff]) ?? []);
  const phases: PhaseView[] = playbook.phases.map((phase) => {
    const window = schedule?.phases.find((w) => w.phase === phase.id);
    return {
      id: phase.id,
      title: phase.title,
      start: window?.start ? isoOf(window.start) : null,
      cutoff: window ? isoOf(window.cutoff) : '',
      current: phase.id === state.phase,
      passed: window ? window.cutoff.toMillis() <= now.toMillis() : false,
    };
  });
  const upcoming = schedule && nextCutoff(schedule, now);
  const tasks: TaskView[] = expandTasks(playbook, state.versions).map((instance) => {
    const task = state.tasks[instance.key] ?? { status: 'open' as const };
    const due = cutoffs.get(instance.task.phase);
    return {
      key: instance.key,
      id: instance.task.id,
      text: instance.task.text,
      phase: instance.task.phase,
      owners: instance.task.owners,
      ownerUsers: instance.task.owners.flatMap((role) => context.roles?.[role] ?? []),
      completion: instance.task.completion.kind,
      ...(instance.version ? { version: instance.version } : {}),
      status: task.status,
      ...(task.by ? { by: task.by } : {}),
      ...(task.at ? { at: task.at } : {}),
      ...(task.via ? { via: task.via } : {}),
      due: due ? isoOf(due) : null,
      late: isLate(task, due, now),
    };
  });
  const gates: GateView[] = Object.entries(state.gates).map(([id, gate]) => ({
    id,
    status: gate.status,
    since: gate.since,
    ...(gate.openedAt ? { openedAt: gate.openedAt } : {}),
    ...(gate.failedAt ? { failedAt: gate.failedAt } : {}),
  }));
  const execution = context.execution?.(state.id);
  return {
    id: state.id,
    status: state.status,
    phase: state.phase,
    phaseTitle: playbook.phases.find((p) => p.id === state.phase)?.title ?? state.phase,
    projectPath: state.projectPath,
    vulnerabilityIssue: state.vulnerabilityIssue,
    ...(state.releaseIssue ? { releaseIssue: state.releaseIssue } : {}),
    dayOne: state.dayOne ?? null,
    slipHours: state.slipHours,
    versions: state.versions,
    now: isoOf(now),
    speed: context.speed ?? 1,
    phases,
    nextCutoff: upcoming ? { phase: upcoming.phase, title: upcoming.title, at: isoOf(upcoming.at) } : null,
    tasks,
    matrix: versionMatrix(state),
    gates,
    timeline: [...timeline],
    warnings: scheduleWarnings(state, playbook),
    ...(state.cveId ? { cveId: state.cveId } : {}),
    hackerOneReports: state.hackerOneReports ?? [],
    ...(state.embargoBrokenAt ? { embargoBrokenAt: state.embargoBrokenAt } : {}),
    trouble: troubleOf(state, timeline, playbook, schedule, now),
    ...(execution
      ? {
          execution: {
            status: execution.status,
            run: execution.run,
            ...(execution.currentState ? { currentState: execution.currentState } : {}),
            activeStates: execution.activeStates,
            transitions: execution.transitions,
          },
        }
      : {}),
    updatedAt: state.updatedAt,
  };
}
