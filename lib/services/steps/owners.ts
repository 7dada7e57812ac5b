import type { OwnedTask } from '../../core/documents/owner-comments.js';
import { evaluateGate } from '../../core/gates.js';
import { expandTasks, isSettled, type TaskInstance } from '../../core/tasks.js';
import type { PhaseId, Playbook } from '../../core/types/playbook.js';
import type { IssueRef, ReleaseState } from '../../core/types/release.js';
import type { GateId } from '../../core/types/workflow.js';
import { parseGate } from '../../core/workflow-steps.js';

/** Which tasks a gate is about, who owns them, and where secrel talks to people. */

/** A task instance as the owner comments show it. */
export function owned(instance: TaskInstance): OwnedTask {
  return {
    key: instance.key,
    text: instance.task.text,
    owners: instance.task.owners,
    manual: instance.task.completion.kind === 'manual',
  };
}

/** Task instances of the phases before `phase` that are neither done nor waived: what they left open. */
export function leftOpenBefore(state: ReleaseState, playbook: Playbook, phase: PhaseId): TaskInstance[] {
  const order = playbook.phases.map((p) => p.id);
  const earlier = new Set(order.slice(0, Math.max(0, order.indexOf(phase))));
  return expandTasks(playbook, state.versions).filter(
    (i) => earlier.has(i.task.phase) && !i.task.stage && !isSettled(state.tasks[i.key]),
  );
}

/** Task instances of a phase, in playbook order. */
export function phaseTasks(state: ReleaseState, playbook: Playbook, phase: PhaseId): TaskInstance[] {
  return expandTasks(playbook, state.versions).filter((i) => i.task.phase === phase);
}

/** The task instances a gate waits for. */
function gateTasks(state: ReleaseState, playbook: Playbook, gate: GateId): TaskInstance[] {
  const parsed = parseGate(gate);
  const all = expandTasks(playbook, state.versions);
  switch (parsed.kind) {
    case 'schedule-confirmed':
      return [];
    case 'phase':
      // Day four's second half holds publication and disclosure, which have gates of their own.
      return all.filter(
        (i) => i.task.phase === parsed.phase && (parsed.phase !== 'day-four-end' || !i.task.stage),
      );
    case 'publish': {
      const order = playbook.phases.map((p) => p.id);
      const publishPhase = playbook.tasks.find((t) => t.stage === 'publish')?.phase ?? 'day-four-end';
      const earlier = new Set(order.slice(0, Math.max(0, order.indexOf(publishPhase))));
      return all.filter((i) => earlier.has(i.task.phase));
    }
    case 'disclose':
      return all.filter((i) => i.task.stage === 'publish');
    case 'pipeline':
      return all.filter((i) => i.key === parsed.taskKey);
    case 'merged':
    case 'start':
      return [];
    case 'recover':
      return all.filter((i) => i.key === parsed.taskKey);
  }
}

/** What a gate still waits for: open tasks with owners, and other missing facts (unmerged MRs). */
export interface Outstanding {
  readonly holds: boolean;
  readonly open: readonly OwnedTask[];
  readonly missing: readonly string[];
}

/** What is outstanding for a gate right now. */
export function outstanding(state: ReleaseState, playbook: Playbook, gate: GateId): Outstanding {
  const evaluation = evaluateGate(state, gate, playbook);
  const open = gateTasks(state, playbook, gate).filter((i) => !isSettled(state.tasks[i.key]));
  const keys = open.map((i) => i.key);
  const missing = evaluation.missing.filter((line) => !keys.some((key) => line.startsWith(`${key} `)));
  return { holds: evaluation.holds, open: open.map(owned), missing };
}

/** How people read a gate's name in a comment. */
export function gateLabel(gate: GateId, playbook: Playbook): string {
  const parsed = parseGate(gate);
  switch (parsed.kind) {
    case 'schedule-confirmed':
      return 'Confirming Day one and the affected versions';
    case 'publish':
      return 'Publication';
    case 'disclose':
      return 'Disclosure';
    case 'phase':
      return playbook.phases.find((p) => p.id === parsed.phase)?.title ?? parsed.phase;
    case 'pipeline':
      return `The pipeline for ${parsed.taskKey}`;
    case 'merged':
      return `The security fix for ${parsed.version}`;
    case 'recover':
      return `The failed step ${parsed.taskKey}`;
    case 'start':
      return `The start of ${playbook.phases.find((p) => p.id === parsed.phase)?.title ?? parsed.phase}`;
  }
}

/** Where secrel talks to the owners: the confidential release issue, or the vulnerability issue before it exists. */
export function conversationIssue(state: ReleaseState): IssueRef {
  return state.releaseIssue ?? state.vulnerabilityIssue;
}
