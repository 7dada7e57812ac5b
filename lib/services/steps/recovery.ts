import { stepFailedComment } from '../../core/documents/recovery-comments.js';
import { parseTaskKey } from '../../core/tasks.js';
import { recordActionFailure } from '../../core/transitions.js';
import type { GateId, GateTiming } from '../../core/types/workflow.js';
import { untilCutoff } from '../../core/workflow-steps.js';
import type { RuntimeDeps } from '../types.js';
import { once } from './once.js';
import { conversationIssue } from './owners.js';
import { contextOf, loadRelease, scheduleOf, transition } from './release-state.js';
import { gateCutoff, taskOfKey } from './timing.js';

/**
 * `step-failed`: an automated step failed for good. Its owners (and the release managers) hear it
 * once, with the error's name only, and how to go on; the machine then waits on the step's
 * `recover:` gate, escalated at the step's cutoff like any late task.
 */
export async function stepFailed(
  deps: RuntimeDeps,
  releaseId: string,
  key: string,
  error: string,
): Promise<GateTiming> {
  const state = await loadRelease(deps, releaseId);
  const gate: GateId = `recover:${key}`;
  const cutoff = gateCutoff(state, scheduleOf(state, deps), gate, deps.playbook);
  const task = taskOfKey(deps.playbook, parseTaskKey(key).taskId);
  const issue = conversationIssue(state);
  const body = stepFailedComment({
    key,
    text: task?.text ?? key,
    owners: task?.owners ?? ['release managers'],
    error,
    cutoff,
    roles: deps.config.roles,
  });
  // One comment per failure of the step: a retry that fails again is a new attempt, counted by the record.
  const attempt = Object.keys(state.gates).includes(gate) ? 'again' : 'first';
  await once(deps, { releaseId, action: 'notify', subject: `failed:${key}:${attempt}` }, async (parts) => {
    await parts.part(
      'comment',
      async () => (await deps.gitlab.createIssueNote(issue.projectId, issue.iid, body)).id,
    );
    await parts.part('record', async () => {
      await transition(deps, releaseId, (s) => recordActionFailure(s, key, error, contextOf(deps)));
      return undefined;
    });
  });
  return untilCutoff(deps.clock.now(), cutoff);
}
