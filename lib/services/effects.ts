import { isoOf } from '../core/moments.js';
import type { Effect } from '../core/types/release.js';
import type { DeliverableEffect } from '../core/types/workflow.js';
import type { Logger } from '../ports.js';
import { startSetupComment } from './gitlab-setup/start-check.js';
import { refreshLivingSection } from './living-description.js';
import type { RuntimeDeps } from './types.js';

/**
 * The one interpreter of the effects a committed change asks for: gates opened or failed and
 * executions started or stopped through the workflow (signals), replies on GitLab, notices
 * outside GitLab, the living description, the setup check. Called only after the commit landed,
 * so an effect never runs for a change that was not stored.
 *
 * Ingress performs the signals at once and hands the deliverable effects (slow: they talk to
 * people) to an `EffectDispatcher`, which brings them back here later ({@link deliverEach}).
 */

/** An effect that signals the state machine; ingress performs it before answering. */
export type SignalEffect = Exclude<Effect, DeliverableEffect>;

/** What performing effects reads and calls. */
export type EffectDeps = Pick<
  RuntimeDeps,
  'gitlab' | 'workflow' | 'notifier' | 'clock' | 'logger' | 'store' | 'playbook' | 'config' | 'gitlabSetup'
>;

/** Performs one deliverable effect (wired to GitLab and the notifier by a dispatcher). */
export type EffectRunner = (releaseId: string, effect: DeliverableEffect) => Promise<void>;

/** How delivering a list of effects ended: how many were performed and how many failed. */
export interface DeliveryReport {
  readonly delivered: number;
  readonly failed: number;
}

/** True for effects ingress hands to a dispatcher rather than performs before answering. */
export function isDeliverable(effect: Effect): effect is DeliverableEffect {
  return (
    effect.type === 'reply' ||
    effect.type === 'notify' ||
    effect.type === 'describe' ||
    effect.type === 'check-setup'
  );
}

/** Performs one signal to the state machine. A gate opens with the declared `GateOutput`. */
export async function signal(
  deps: Pick<EffectDeps, 'workflow' | 'clock' | 'logger'>,
  releaseId: string,
  effect: SignalEffect,
): Promise<void> {
  switch (effect.type) {
    case 'open-gate':
      await deps.workflow.sendTaskSuccess(effect.token, {
        gate: effect.gate,
        openedAt: isoOf(deps.clock.now()),
      });
      return;
    case 'fail-gate':
      await deps.workflow.sendTaskFailure(effect.token, effect.error, effect.cause);
      return;
    case 'start-workflow':
      await deps.workflow.start(effect.releaseId, { releaseId: effect.releaseId });
      return;
    case 'stop-workflow':
      await deps.workflow.stop(effect.releaseId, effect.reason);
      return;
  }
  deps.logger.warn('unknown effect skipped', { releaseId });
}

/** Performs one effect. */
export async function performEffect(deps: EffectDeps, releaseId: string, effect: Effect): Promise<void> {
  if (!isDeliverable(effect)) return signal(deps, releaseId, effect);
  switch (effect.type) {
    case 'reply':
      await deps.gitlab.createIssueNote(effect.issue.projectId, effect.issue.iid, effect.body);
      return;
    case 'notify':
      // Messages on effects are written free of confidential detail by the core.
      await deps.notifier?.notify(effect.message);
      return;
    case 'describe':
      await refreshLivingSection(deps, releaseId);
      return;
    case 'check-setup': {
      if (!deps.gitlabSetup) {
        deps.logger.warn('GitLab setup check skipped: no setup client', { releaseId });
        return;
      }
      const body = await startSetupComment(deps.config, deps.gitlabSetup, effect.projectIds, () =>
        deps.clock.now().toMillis(),
      );
      if (body !== undefined)
        await deps.gitlab.createIssueNote(effect.issue.projectId, effect.issue.iid, body);
      return;
    }
  }
  deps.logger.warn('unknown effect skipped', { releaseId });
}

/** Performs effects in order; one failing does not keep the others from running, the first error is thrown. */
export async function performEffects(
  deps: EffectDeps,
  releaseId: string,
  effects: readonly Effect[],
): Promise<void> {
  let firstError: unknown;
  for (const effect of effects) {
    try {
      await performEffect(deps, releaseId, effect);
    } catch (err) {
      deps.logger.error('effect failed', {
        releaseId,
        effect: effect.type,
        error: err instanceof Error ? err.name : 'unknown',
      });
      firstError ??= err;
    }
  }
  if (firstError !== undefined) throw firstError;
}

/** The runner a dispatcher's effects come back to: {@link performEffect} with these deps. */
export function effectRunner(deps: EffectDeps): EffectRunner {
  return (releaseId, effect) => performEffect(deps, releaseId, effect);
}

/**
 * Delivers handed-over effects in order. A failing one is logged (kind and error name only) and
 * skipped, never thrown: a retry of the whole list would post the replies that did succeed twice.
 */
export async function deliverEach(
  run: EffectRunner,
  logger: Logger,
  releaseId: string,
  effects: readonly DeliverableEffect[],
): Promise<DeliveryReport> {
  let failed = 0;
  for (const effect of effects) {
    try {
      await run(releaseId, effect);
    } catch (err) {
      failed += 1;
      logger.error('deferred effect failed', {
        releaseId,
        effect: effect.type,
        error: err instanceof Error ? err.name : 'unknown',
      });
    }
  }
  return { delivered: effects.length - failed, failed };
}
