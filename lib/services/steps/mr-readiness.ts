import { mergeRequestNudge } from '../../core/documents/mr-nudge.js';
import { readinessReasons } from '../../core/readiness.js';
import type { Signal } from '../../core/types/playbook.js';
import type { ReleaseState } from '../../core/types/release.js';
import type { GateId } from '../../core/types/workflow.js';
import { toStepTimestamp } from '../../core/workflow-steps.js';
import type { RuntimeDeps } from '../types.js';
import { once } from './once.js';

/**
 * At a phase's reminder (two hours before its cutoff), every security MR the phase needs that is
 * not ready gets one comment mentioning its author and assignees with the reasons. One action
 * record per MR and cutoff, so retries and re-driven executions never comment twice.
 */

/** Signals whose tasks wait for security MRs. */
const MERGE_SIGNALS: ReadonlySet<Signal> = new Set<Signal>([
  'security-mrs-merged',
  'backports-merged',
  'security-pipelines-green',
]);

/** Whether the gate's phase has a task that waits for security MRs. */
function needsMergeRequests(gate: GateId, deps: Pick<RuntimeDeps, 'playbook'>): boolean {
  if (!gate.startsWith('phase:')) return false;
  const phase = gate.slice('phase:'.length);
  return deps.playbook.tasks.some(
    (t) => t.phase === phase && t.completion.kind === 'observed' && MERGE_SIGNALS.has(t.completion.signal),
  );
}

/** Comments once on each open security MR that is not ready for the cutoff of `gate`. */
export async function nudgeUnreadyMergeRequests(
  deps: RuntimeDeps,
  state: ReleaseState,
  gate: GateId,
  cutoff: Parameters<typeof toStepTimestamp>[0],
): Promise<void> {
  if (!needsMergeRequests(gate, deps)) return;
  for (const mr of Object.values(state.mergeRequests)) {
    const reasons = readinessReasons(state, mr);
    if (reasons.length === 0) continue;
    const body = mergeRequestNudge({ people: mr.people ?? [], reasons, cutoff });
    await once(
      deps,
      {
        releaseId: state.id,
        action: 'notify',
        subject: `mr-ready:${mr.projectId}!${mr.iid}@${toStepTimestamp(cutoff)}`,
      },
      async (parts) => {
        await parts.part(
          'comment',
          async () => (await deps.gitlab.createMergeRequestNote(mr.projectId, mr.iid, body)).id,
        );
      },
    );
  }
}
