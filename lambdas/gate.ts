import { type GateRequest, gateRequestSchema } from '../lib/core/types/workflow.js';
import { ActionFailedError } from '../lib/core/workflow-steps.js';
import { type GateRegistration, registerGate } from '../lib/services/gate.js';
import { createLogger } from '../lib/services/logger.js';
import type { RuntimeDeps } from '../lib/services/runtime-deps.js';
import { lazyDeps, runtimeDepsFromEnv } from './runtime-deps.js';

/**
 * The gate function: the state machine's `${GateFunctionArn}`, invoked with `.waitForTaskToken`.
 * Wiring only: parse, store the token (answering at once when the gate already holds).
 */

/** Parses a gate request; the token is never echoed in the error. */
export function parseGateRequest(event: unknown): GateRequest {
  const parsed = gateRequestSchema.safeParse(event);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ActionFailedError(`bad gate request: ${issue?.path.join('.') || '(root)'}`);
  }
  return parsed.data;
}

/** The handler for a given way to build dependencies (tests pass their own). */
export function createGateHandler(
  deps: () => Promise<RuntimeDeps>,
): (event: unknown) => Promise<GateRegistration> {
  return async (event) => registerGate(await deps(), parseGateRequest(event));
}

/** The deployed entry point. */
export const handler = createGateHandler(
  // The gate never calls GitLab, so it is deployed without the GitLab token.
  lazyDeps(() => runtimeDepsFromEnv(process.env, createLogger('secrel-gate'), { gitlab: false })),
);
