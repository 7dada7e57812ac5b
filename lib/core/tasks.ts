import type { Playbook, Task } from './types/playbook.js';
import type { TaskState } from './types/release.js';
import { sortVersions } from './versions.js';

/**
 * Playbook tasks expanded over the affected versions: one task state per key
 * (`request-cve`, `build-packages@17.5`).
 */

/** One task of the playbook as it applies to this release: once, or for one affected version. */
export interface TaskInstance {
  readonly key: string;
  readonly task: Task;
  /** Set for `each-version` and `latest-version` tasks. */
  readonly version?: string;
}

/** The key a task state is stored under: the task id, plus `@<version>` for version-scoped tasks. */
export function taskKey(taskId: string, version?: string): string {
  return version === undefined ? taskId : `${taskId}@${version}`;
}

/** Splits a key from {@link taskKey} back into task id and version. */
export function parseTaskKey(key: string): { readonly taskId: string; readonly version?: string } {
  const at = key.indexOf('@');
  if (at < 0) return { taskId: key };
  return { taskId: key.slice(0, at), version: key.slice(at + 1) };
}

/** The instances of one task over the affected versions (any order in, newest first out). */
export function instancesOfTask(task: Task, versions: readonly string[]): TaskInstance[] {
  const sorted = sortVersions(versions);
  switch (task.scope) {
    case 'release':
      return [{ key: taskKey(task.id), task }];
    case 'each-version':
      return sorted.map((version) => ({ key: taskKey(task.id, version), task, version }));
    case 'latest-version': {
      const newest = sorted[0];
      return newest === undefined ? [] : [{ key: taskKey(task.id, newest), task, version: newest }];
    }
  }
}

/** Every task instance of the release, in playbook order. */
export function expandTasks(playbook: Playbook, versions: readonly string[]): TaskInstance[] {
  return playbook.tasks.flatMap((task) => instancesOfTask(task, versions));
}

/** Task states of a new release: every instance open. */
export function initialTaskStates(
  playbook: Playbook,
  versions: readonly string[],
): Record<string, TaskState> {
  return Object.fromEntries(expandTasks(playbook, versions).map((i) => [i.key, { status: 'open' } as const]));
}

/**
 * Task states after the affected versions change: keys that survive keep their state (done stays
 * done), new keys start open, keys of dropped versions disappear.
 */
export function reexpandTasks(
  playbook: Playbook,
  current: Readonly<Record<string, TaskState>>,
  versions: readonly string[],
): Record<string, TaskState> {
  return Object.fromEntries(
    expandTasks(playbook, versions).map((i) => [i.key, current[i.key] ?? ({ status: 'open' } as const)]),
  );
}

/** Whether a task state counts as finished for a phase gate. */
export function isSettled(state: TaskState | undefined): boolean {
  return state?.status === 'done' || state?.status === 'waived';
}
