import { type ActionRequest, actionRequestSchema } from '../lib/core/types/workflow.js';
import { ActionFailedError } from '../lib/core/workflow-steps.js';
import { runStep } from '../lib/services/actions.js';
import { createLogger } from '../lib/services/logger.js';
import type { RuntimeDeps } from '../lib/services/runtime-deps.js';
import { lazyDeps, runtimeDepsFromEnv } from './runtime-deps.js';

/**
 * The actions function: the state machine's `${ActionsFunctionArn}`. Wiring only: parse the
 * step, run it, let named errors (`Action.Transient`, `Action.Failed`) reach Retry/Catch.
 */

/** Parses a step request; a malformed one can never succeed, so it fails as `Action.Failed`. */
export function parseActionRequest(event: unknown): ActionRequest {
  const parsed = actionRequestSchema.safeParse(event);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ActionFailedError(
      `bad step request: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`,
    );
  }
  return parsed.data;
}

/** The handler for a given way to build dependencies (tests pass their own). */
export function createActionsHandler(deps: () => Promise<RuntimeDeps>): (event: unknown) => Promise<unknown> {
  return async (event) => runStep(await deps(), parseActionRequest(event));
}

/** The deployed entry point. */
export const handler = createActionsHandler(
  lazyDeps(() => runtimeDepsFromEnv(process.env, createLogger('secrel-actions'))),
);
