import type { Context } from 'aws-lambda';
import * as z from 'zod';
import { GitLabClient } from '../lib/adapters/gitlab/client.js';
import { GitLabSetupClient } from '../lib/adapters/gitlab/setup-client.js';
import {
  type ActionRequest,
  actionRequestSchema,
  type DeliverEffectsRequest,
  deliverEffectsRequestSchema,
} from '../lib/core/types/workflow.js';
import { ActionFailedError } from '../lib/core/workflow-steps.js';
import type { Metrics } from '../lib/ports.js';
import { type DeliveryReport, deliverEach, effectRunner } from '../lib/services/effects.js';
import { actionMetric, activeReleases } from '../lib/services/metrics.js';
import { runStep } from '../lib/services/steps/run-step.js';
import type { RuntimeDeps } from '../lib/services/types.js';
import { deployedDeps, type RuntimeNeeds } from './aws-runtime.js';
import { createObservability, type Observability } from './observability.js';

/**
 * The actions function: the state machine's `${ActionsFunctionArn}`, and the function ingress
 * invokes asynchronously to send its replies and notices (`deliver-effects`). Wiring only: parse
 * the request, run it, let named errors (`Action.Transient`, `Action.Failed`) reach Retry/Catch.
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

/** Parses ingress's request to deliver effects; the error names the field, never its text. */
export function parseDeliverEffectsRequest(event: unknown): DeliverEffectsRequest {
  const parsed = deliverEffectsRequestSchema.safeParse(event);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ActionFailedError(`bad deliver-effects request: ${issue?.path.join('.') || '(root)'}`);
  }
  return parsed.data;
}

const deliverEffectsStep = z.object({ step: z.literal('deliver-effects') });

/**
 * Sends ingress's replies and notices in order. A failing one is logged (kind and error name
 * only) and skipped, as local mode does: throwing would make Lambda retry the whole request and
 * post the replies that did succeed a second time.
 */
export function deliverEffects(deps: RuntimeDeps, request: DeliverEffectsRequest): Promise<DeliveryReport> {
  return deliverEach(effectRunner(deps), deps.logger, request.releaseId, request.effects);
}

/** Runs one step; an automated action is counted as performed, refused or failed. */
async function runCountedStep(
  deps: RuntimeDeps,
  request: ActionRequest,
  metrics?: Metrics,
): Promise<unknown> {
  if (request.step !== 'action') {
    const response = await runStep(deps, request);
    deps.logger.info('step finished', { step: request.step });
    // A phase starting is rare (a few times a day per release) and a good moment to take the level.
    if (request.step === 'tell-owners' && metrics) await recordActiveReleases(deps, metrics);
    return response;
  }
  try {
    const response = await runStep(deps, request);
    deps.logger.info('step finished', { step: request.step, task: request.task, outcome: response.outcome });
    metrics?.count(actionMetric(response.outcome), 1, { outcome: response.outcome });
    return response;
  } catch (err) {
    metrics?.count('ActionsFailed', 1, { error: err instanceof Error ? err.name : 'unknown' });
    throw err;
  }
}

/** Records how many releases are under way; a failed read is logged, never fails the step. */
async function recordActiveReleases(deps: RuntimeDeps, metrics: Metrics): Promise<void> {
  try {
    metrics.level('ReleasesActive', activeReleases(await deps.store.listReleases()));
  } catch (err) {
    deps.logger.warn('active releases not counted', { error: err instanceof Error ? err.name : 'unknown' });
  }
}

/**
 * The handler for a given way to build dependencies (tests pass their own). With
 * `observability`, each request is logged under its release id and its actions are counted.
 */
export function createActionsHandler(
  deps: () => Promise<RuntimeDeps>,
  observability?: Observability,
): (event: unknown, context?: Context) => Promise<unknown> {
  return async (event, context) => {
    const isDelivery = deliverEffectsStep.safeParse(event).success;
    const request = isDelivery ? parseDeliverEffectsRequest(event) : parseActionRequest(event);
    const run = async (): Promise<unknown> =>
      request.step === 'deliver-effects'
        ? deliverEffects(await deps(), request)
        : runCountedStep(await deps(), request, observability?.metrics);
    return observability ? observability.invoke(context, { releaseId: request.releaseId }, run) : run();
  };
}

/**
 * What the actions function needs besides the table and the state machine: GitLab, through
 * gitbeaker, for the steps and for `/secrel start`'s setup check.
 */
export const ACTIONS_NEEDS: RuntimeNeeds = {
  gitlab: (host, token) => new GitLabClient({ host, token }),
  gitlabSetup: (host, token) => new GitLabSetupClient({ host, token }),
};

const observability = createObservability('actions');

/** The deployed entry point. */
export const handler = createActionsHandler(
  deployedDeps('actions', ACTIONS_NEEDS, observability),
  observability,
);
