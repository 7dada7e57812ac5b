import { isTransientStatus } from '../../core/transient-status.js';
import type { Notifier } from '../../ports.js';
import { NotifyError } from './errors.js';

/** How to reach a Slack incoming webhook. */
export interface SlackNotifierOptions {
  /** The incoming-webhook URL; its path is a secret, so it never appears in errors. */
  readonly webhookUrl: string;
  /** Per-request timeout in ms (default 5 s). */
  readonly timeoutMs?: number;
}

/**
 * Posts notifications to a Slack incoming webhook as `{ text }`. Callers pass only text that is
 * free of confidential detail (DESIGN.md §4.5); this adapter sends exactly what it is given.
 */
export class SlackNotifier implements Notifier {
  constructor(private readonly options: SlackNotifierOptions) {}

  /** Sends one message. */
  async notify(message: string): Promise<void> {
    let res: Response;
    try {
      res = await fetch(this.options.webhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text: message }),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 5_000),
      });
    } catch (error) {
      const name = error instanceof Error ? error.name : 'error';
      throw new NotifyError(undefined, true, `Slack could not be reached (${name})`);
    }
    await res.arrayBuffer().catch(() => undefined);
    if (res.ok) return;
    throw new NotifyError(res.status, isTransientStatus(res.status), `Slack answered ${res.status}`);
  }
}
