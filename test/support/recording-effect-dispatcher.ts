import type { DeliverableEffect } from '../../lib/core/types/workflow.js';
import type { EffectDispatcher } from '../../lib/ports.js';

/** A dispatcher that records what it was given, for tests and the benchmark. */
export class RecordingEffectDispatcher implements EffectDispatcher {
  readonly dispatched: { releaseId: string; effect: DeliverableEffect }[] = [];

  async dispatch(releaseId: string, effects: readonly DeliverableEffect[]): Promise<void> {
    for (const effect of effects) this.dispatched.push({ releaseId, effect });
  }
}
