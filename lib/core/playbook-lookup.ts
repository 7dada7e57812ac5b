import type { Phase, PhaseId, Playbook, Task } from './types/playbook.js';

/** Lookups of phases and tasks in a playbook by id. */

/** The phase with this id; throws when the playbook lacks it. */
export function phaseOf(playbook: Playbook, id: PhaseId): Phase {
  const phase = playbook.phases.find((p) => p.id === id);
  if (!phase) throw new Error(`playbook has no phase ${id}`);
  return phase;
}

/** The tasks of a phase, in playbook order. */
export function tasksOf(playbook: Playbook, phase: PhaseId): readonly Task[] {
  return playbook.tasks.filter((task) => task.phase === phase);
}

/** The task with this id, or undefined. */
export function findTask(playbook: Playbook, id: string): Task | undefined {
  return playbook.tasks.find((task) => task.id === id);
}
