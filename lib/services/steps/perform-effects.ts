import { isoOf } from '../../core/moments.js';
import type { Effect } from '../../core/types/release.js';
import type { DeferredEffect, EffectRunner } from '../effects.js';
import { startSetupComment } from '../gitlab-setup/start-check.js';
import { refreshLivingSection } from '../living-description.js';
import type { RuntimeDeps } from '../runtime-deps.js';

/**
 * Carries out the effects a committed change asks for: gates opened or failed through the
 * workflow, replies on GitLab, notices outside GitLab. Called only after the commit landed, so
 * an effect never runs for a change that was not stored.
 */

type EffectDeps = Pick<
  RuntimeDeps,
  'gitlab' | 'workflow' | 'notifier' | 'clock' | 'logger' | 'store' | 'playbook' | 'config' | 'gitlabSetup'
>;

/** Performs one effect. */
export async function performEffect(deps: EffectDeps, releaseId: string, effect: Effect): Promise<void> {
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
    case 'reply':
      await deps.gitlab.createIssueNote(effect.issue.projectId, effect.issue.iid, effect.body);
      return;
    case 'notify':
      // Messages on effects are written free of confidential detail by the core.
      await deps.notifier?.notify(effect.message);
      return;
    case 'start-workflow':
      await deps.workflow.start(effect.releaseId, { releaseId: effect.releaseId });
      return;
    case 'stop-workflow':
      await deps.workflow.stop(effect.releaseId, effect.reason);
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

/** Performs effects in order; one failing does not keep the others from running. */
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

/**
 * The runner local mode gives its `LocalEffectDispatcher`: ingress's replies become comments on
 * the release issue through GitLab, its notices go to the notifier.
 */
export function deferredEffectRunner(deps: EffectDeps): EffectRunner {
  return (releaseId: string, effect: DeferredEffect) => performEffect(deps, releaseId, effect);
}
