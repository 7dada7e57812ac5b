import { InvocationType, InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { DeliverableEffect, DeliverEffectsRequest } from '../../core/types/workflow.js';

/**
 * On AWS, ingress must answer GitLab within seconds, so replies and notices are not sent inline:
 * they go to the actions function with an asynchronous Invoke (`Event`), which Lambda queues and
 * answers with 202 at once. The actions function then posts them (`deliver-effects`).
 */

/**
 * Largest request sent in one Invoke. Lambda's asynchronous payload limit was 256 KB for years
 * (raised later); staying under the old one, with room for the envelope, works either way.
 */
export const MAX_EVENT_PAYLOAD_BYTES = 240 * 1024;

/** Where {@link AsyncInvokeEffectDispatcher} sends effects. */
export interface AsyncInvokeEffectDispatcherOptions {
  /** Name or ARN of the actions function (`ACTIONS_FUNCTION_NAME`). */
  readonly functionName: string;
  /** A client to reuse across invocations; one is created when absent. */
  readonly client?: LambdaClient;
}

/** Splits a release's effects into requests that each fit in one asynchronous Invoke. */
export function deliveryRequests(
  releaseId: string,
  effects: readonly DeliverableEffect[],
  maxBytes: number = MAX_EVENT_PAYLOAD_BYTES,
): DeliverEffectsRequest[] {
  const requests: DeliverEffectsRequest[] = [];
  let batch: DeliverableEffect[] = [];
  const size = (list: readonly DeliverableEffect[]) =>
    Buffer.byteLength(JSON.stringify({ releaseId, step: 'deliver-effects', effects: list }));
  for (const effect of effects) {
    // A lone effect too large for a request is still sent alone, so Lambda's refusal is visible.
    if (batch.length > 0 && size([...batch, effect]) > maxBytes) {
      requests.push({ releaseId, step: 'deliver-effects', effects: batch });
      batch = [];
    }
    batch.push(effect);
  }
  if (batch.length > 0) requests.push({ releaseId, step: 'deliver-effects', effects: batch });
  return requests;
}

/**
 * The webhook function's effect dispatcher (`EffectDispatcher` of `lib/ports.ts`):
 * one asynchronous Invoke of the actions function per release change, with its effects in order.
 */
export class AsyncInvokeEffectDispatcher {
  readonly #client: LambdaClient;
  readonly #functionName: string;

  constructor(options: AsyncInvokeEffectDispatcherOptions) {
    this.#client = options.client ?? new LambdaClient({});
    this.#functionName = options.functionName;
  }

  /** Queues the effects with Lambda; resolves once Lambda accepted them, before any is performed. */
  async dispatch(releaseId: string, effects: readonly DeliverableEffect[]): Promise<void> {
    for (const request of deliveryRequests(releaseId, effects)) {
      await this.#client.send(
        new InvokeCommand({
          FunctionName: this.#functionName,
          InvocationType: InvocationType.Event,
          Payload: Buffer.from(JSON.stringify(request)),
        }),
      );
    }
  }
}
