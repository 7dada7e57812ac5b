import { isTransientStatus } from '../../core/transient-status.js';
import type { HackerOne } from '../../ports.js';
import { HackerOneError } from './errors.js';

/** HackerOne's API root. */
export const HACKERONE_API = 'https://api.hackerone.com/v1';

/** How to reach HackerOne. */
export interface HackerOneClientOptions {
  /** API root (default {@link HACKERONE_API}); the fake's URL in tests. */
  readonly baseUrl?: string;
  /** API token identifier (the basic-auth user name). */
  readonly apiIdentifier: string;
  /** API token (the basic-auth password). */
  readonly token: string;
  /** Per-request timeout in ms (default 10 s). */
  readonly timeoutMs?: number;
}

/**
 * Thanks reporters on their HackerOne reports. Only calls HackerOne documents for its customer API
 * are made (a report comment is `POST /reports/{id}/activities`); approving a disclosure request has
 * no documented call, so the security lead does it by hand (the playbook's `approve-disclosure`).
 */
export class HackerOneClient implements HackerOne {
  private readonly baseUrl: string;
  private readonly authorization: string;

  constructor(private readonly options: HackerOneClientOptions) {
    this.baseUrl = (options.baseUrl ?? HACKERONE_API).replace(/\/+$/, '');
    this.authorization = `Basic ${Buffer.from(`${options.apiIdentifier}:${options.token}`).toString('base64')}`;
  }

  /** Posts a comment the reporter can see (`internal: false`) on a report. */
  async comment(reportId: string, message: string): Promise<void> {
    await this.post('comment', reportId, `/reports/${encodeURIComponent(reportId)}/activities`, {
      data: { type: 'activity-comment', attributes: { message, internal: false } },
    });
  }

  private async post(operation: string, reportId: string, path: string, body: unknown): Promise<void> {
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}${path}`, {
        method: 'POST',
        headers: {
          authorization: this.authorization,
          'content-type': 'application/json',
          accept: 'application/json',
        },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
    } catch (error) {
      const name = error instanceof Error ? error.name : 'error';
      throw new HackerOneError(operation, undefined, true, `HackerOne could not be reached (${name})`);
    }
    await res.arrayBuffer().catch(() => undefined);
    if (res.ok) return;
    throw new HackerOneError(
      operation,
      res.status,
      isTransientStatus(res.status),
      `HackerOne answered ${res.status} for report ${reportId}`,
    );
  }
}
