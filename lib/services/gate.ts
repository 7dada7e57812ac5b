import { recordGateToken } from '../core/transitions.js';
import type { GateRequest } from '../core/types/workflow.js';
import { contextOf, transition } from './steps/release-state.js';
import { toStepError } from './steps/step-errors.js';
import type { RuntimeDeps } from './types.js';

/**
 * The gate function (DESIGN.md §6): the state machine hands over a task token and waits. The
 * token is stored on the release; ingress sends it back when the gate's rule holds. When the
 * rule already holds, the token goes back at once (`open-gate`); when the pipeline behind a
 * `pipeline:` gate already failed, the task fails at once with `Pipeline.Failed`.
 */

/** What registering a gate did: `waiting` for ingress, or already answered. */
export interface GateRegistration {
  readonly gate: string;
  readonly status: 'waiting' | 'open' | 'failed';
}

/** Stores a gate's task token; opens or fails the gate at once when its outcome is already known. */
export async function registerGate(deps: RuntimeDeps, request: GateRequest): Promise<GateRegistration> {
  try {
    // The effects of the commit (open-gate / fail-gate with this token) are performed by `transition`.
    const state = await transition(deps, request.releaseId, (s) =>
      recordGateToken(s, request.gate, request.token, contextOf(deps)),
    );
    const gate = state.gates[request.gate];
    deps.logger.info('gate registered', {
      releaseId: request.releaseId,
      gate: request.gate,
      status: gate?.status,
    });
    return { gate: request.gate, status: gate?.status ?? 'waiting' };
  } catch (err) {
    throw toStepError(err);
  }
}
