import { setStatus } from '../../core/transitions.js';
import type { StepAck } from '../../core/types/workflow.js';
import type { RuntimeDeps } from '../types.js';
import { contextOf, transition } from './release-state.js';

/**
 * `complete`: every phase is over, Afterwards' lessons learned included. The release becomes
 * `completed`: its routing keys no longer include its projects, later events are answered and
 * change nothing, and local mode does not resume it on restart.
 */
export async function completeRelease(deps: RuntimeDeps, releaseId: string): Promise<StepAck> {
  await transition(deps, releaseId, (s) => setStatus(s, 'completed', contextOf(deps)));
  return { ok: true };
}
