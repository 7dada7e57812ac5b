import type { DeliverableEffect } from '../core/types/workflow.js';
import type { EffectDispatcher, Logger } from '../ports.js';
import { deliverEach, type EffectRunner } from '../services/effects.js';

/** How long a queued description rewrite lets a burst of changes gather before it runs. */
export const DESCRIBE_SETTLE_MS = 150;

/**
 * Local mode's dispatcher: queues effects and runs them one by one on a later turn of the
 * event loop, after the HTTP response has gone out. A failing effect is logged and skipped.
 */
export class LocalEffectDispatcher implements EffectDispatcher {
  readonly #run: EffectRunner;
  readonly #logger: Logger;
  readonly #queue: { releaseId: string; effect: DeliverableEffect; at: number }[] = [];
  #draining: Promise<void> | undefined;

  constructor(run: EffectRunner, logger: Logger) {
    this.#run = run;
    this.#logger = logger;
  }

  async dispatch(releaseId: string, effects: readonly DeliverableEffect[]): Promise<void> {
    for (const effect of effects) {
      // A rewrite already waiting reads the latest state when it runs: a burst needs only one.
      if (
        effect.type === 'describe' &&
        this.#queue.some((q) => q.releaseId === releaseId && q.effect.type === 'describe')
      )
        continue;
      this.#queue.push({ releaseId, effect, at: Date.now() });
    }
    if (this.#queue.length > 0 && !this.#draining) {
      this.#draining = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.#drain());
    }
  }

  /** Drops every effect not yet run, as a killed process loses them (tests of a crash). */
  discard(): void {
    this.#queue.length = 0;
  }

  /** Resolves once every queued effect has run; for shutdown and tests. */
  async idle(): Promise<void> {
    while (this.#draining) await this.#draining;
  }

  /**
   * The next effect to run. A rewrite of the description runs once it has been queued for
   * {@link DESCRIBE_SETTLE_MS}, staying queued meanwhile so the rest of a burst of changes joins
   * it; replies and notices queued behind it go first rather than wait.
   */
  async #next(): Promise<{ releaseId: string; effect: DeliverableEffect } | undefined> {
    for (;;) {
      const now = Date.now();
      const ready = this.#queue.findIndex(
        (q) => q.effect.type !== 'describe' || q.at + DESCRIBE_SETTLE_MS <= now,
      );
      if (ready >= 0) return this.#queue.splice(ready, 1)[0];
      const first = this.#queue[0];
      if (first === undefined) return undefined;
      await new Promise((resolve) => setTimeout(resolve, first.at + DESCRIBE_SETTLE_MS - now));
    }
  }

  async #drain(): Promise<void> {
    try {
      for (let next = await this.#next(); next; next = await this.#next()) {
        await deliverEach(this.#run, this.#logger, next.releaseId, [next.effect]);
      }
    } finally {
      this.#draining = undefined;
    }
  }
}
