import type { WebhookDelivery } from '../webhook-sender.js';
import type { FakeGitLabHooks } from './hooks.js';
import { type FakeGitLabState, type FakePipeline, nextUpdatedAt } from './state.js';

/** How a pipeline secrel creates ends: `manual` leaves it running until {@link FakeGitLab.completePipeline}. */
export type PipelineOutcome = 'success' | 'failed' | 'manual';

/**
 * What the fake does with pipelines created through the API. A function gets the pipeline and
 * its attempt number (1 for the first pipeline with the same project, ref, `SECREL_ACTION` and
 * `SECREL_VERSION`); `{ failFirst: n }` fails the first n attempts and then succeeds.
 */
export type PipelinePolicy =
  | PipelineOutcome
  | { readonly failFirst: number }
  | ((pipeline: FakePipeline, attempt: number) => PipelineOutcome);

/**
 * Runs the pipelines secrel creates the way the test's policy says: each one starts running, and
 * after the delay ends as the policy decides and sends its Pipeline Hook; `manual` ones wait for
 * {@link PipelineScheduler.complete}.
 */
export class PipelineScheduler {
  private readonly attempts = new Map<string, number>();

  constructor(
    private readonly state: FakeGitLabState,
    private readonly hooks: FakeGitLabHooks,
    private readonly policy: PipelinePolicy = 'manual',
    private readonly delayMs = 0,
  ) {}

  /** Starts a pipeline just created and, unless the policy says `manual`, completes it later. */
  schedule(pipeline: FakePipeline): void {
    const outcome = this.outcomeFor(pipeline);
    if (outcome === 'manual') return;
    pipeline.status = 'running';
    pipeline.updatedAt = nextUpdatedAt(pipeline.updatedAt);
    this.hooks.background(
      new Promise((resolve) => setTimeout(resolve, this.delayMs)).then(() =>
        this.complete(pipeline.id, outcome),
      ),
    );
  }

  /** Finishes a pipeline and sends the Pipeline Hook with its variables. */
  async complete(
    id: number,
    status: 'success' | 'failed' | 'canceled' = 'success',
  ): Promise<WebhookDelivery> {
    const pipeline = this.state.pipelines.find((p) => p.id === id);
    if (!pipeline) throw new Error(`fake GitLab has no pipeline ${id}`);
    pipeline.status = status;
    pipeline.updatedAt = nextUpdatedAt(pipeline.updatedAt);
    return this.hooks.pipeline(pipeline);
  }

  /** Forgets the attempts counted. */
  reset(): void {
    this.attempts.clear();
  }

  private outcomeFor(pipeline: FakePipeline): PipelineOutcome {
    const key = [
      pipeline.projectId,
      pipeline.ref,
      pipeline.variables.SECREL_ACTION ?? '',
      pipeline.variables.SECREL_VERSION ?? '',
    ].join('|');
    const attempt = (this.attempts.get(key) ?? 0) + 1;
    this.attempts.set(key, attempt);
    if (typeof this.policy === 'function') return this.policy(pipeline, attempt);
    if (typeof this.policy === 'object') return attempt <= this.policy.failFirst ? 'failed' : 'success';
    return this.policy;
  }
}
