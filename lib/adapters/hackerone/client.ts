import type { HackerOne } from '../../ports.js';
import { isTransientStatus } from '../http-status.js';
import { HackerOneError } from './errors.js';

/** HackerOne's API root. */
export const HACKERONE_API = 'https://api.hackerone.com/v1';

/**
 * Where disclosure approval is POSTed, `{id}` being the report id.
 *
 * Uncertain: HackerOne's public customer API documents activity comments on reports but, as far
 * as we could check, no endpoint for a program to approve a hacker's disclosure request. This
 * path follows the API's resource naming and is a guess; it is configurable (`disclosurePath`) so
 * a deployment can point it at the real endpoint, and a 404 from it is a permanent error that
 * the release's timeline shows, so a person approves by hand.
 */
export const DEFAULT_DISCLOSURE_PATH = '/reports/{id}/disclosure_requests/approve';

/** How to reach HackerOne. */
export interface HackerOneClientOptions {
  /** API root (default {@link HACKERONE_API}); the fake's URL in tests. */
  readonly baseUrl?: string;
  /** API token identifier (the basic-auth user name). */
  readonly apiIdentifier: string;
  /** API token (the basic-auth password). */
  readonly token: string;
  /** Path of disclosure approval, `{id}` replaced by the report id. */
  readonly disclosurePath?: string;
  /** Per-request timeout in ms (default 10 s). */
  readonly timeoutMs?: number;
}

/** Thanks reporters on their HackerOne reports and approves disclosure once the release is public. */
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

  /** Approves the reporter's disclosure request; an approval that already happened (409) counts as done. */
  async approveDisclosure(reportId: string): Promise<void> {
    const path = (this.options.disclosurePath ?? DEFAULT_DISCLOSURE_PATH).replace(
      '{id}',
      encodeURIComponent(reportId),
    );
    await this.post('approveDisclosure', reportId, path, {
      data: { type: 'disclosure-request-approval', attributes: {} },
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
    if (operation === 'approveDisclosure' && res.status === 409) return;
    throw new HackerOneError(
      operation,
      res.status,
      isTransientStatus(res.status),
      `HackerOne answered ${res.status} for report ${reportId}`,
    );
  }
}
