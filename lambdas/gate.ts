import type { Context } from 'aws-lambda';
import { type GateRequest, gateRequestSchema } from '../lib/core/types/workflow.js';
import { ActionFailedError } from '../lib/core/workflow-steps.js';
import { type GateRegistration, registerGate } from '../lib/services/gate.js';
import type { RuntimeDeps } from '../lib/services/types.js';
import { deployedDeps } from './aws-runtime.js';
import { createObservability, type Observability } from './observability.js';

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

/**
 * The handler for a given way to build dependencies (tests pass their own). With
 * `observability`, each request is logged under its release id.
 */
export function createGateHandler(
  deps: () => Promise<RuntimeDeps>,
  observability?: Observability,
): (event: unknown, context?: Context) => Promise<GateRegistration> {
  return async (event, context) => {
    const request = parseGateRequest(event);
    const run = async () => registerGate(await deps(), request);
    return observability ? observability.invoke(context, { releaseId: request.releaseId }, run) : run();
  };
}

const observability = createObservability('gate');

/** The deployed entry point. */
export const handler = createGateHandler(
  // The gate never calls GitLab, so it is deployed without the GitLab token.
  deployedDeps('gate', { gitlab: false }, observability),
  observability,
);
