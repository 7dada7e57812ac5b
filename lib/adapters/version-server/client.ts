import { isTransientStatus } from '../../core/transient-status.js';
import type { VersionServer } from '../../ports.js';
import { VersionServerError } from './errors.js';

/** How to reach the version server. */
export interface HttpVersionServerOptions {
  /** Base URL, e.g. `https://version.example.com` (the client adds `/api/v1/versions`). */
  readonly baseUrl: string;
  /** Bearer token. */
  readonly token: string;
  /** Per-request timeout in ms (default 10 s). */
  readonly timeoutMs?: number;
}

/**
 * Adds security version entries to the version server (`POST /api/v1/versions`). A 409 means the
 * entry exists, which is the goal: an entry is added at most once however often the action runs.
 */
export class HttpVersionServer implements VersionServer {
  private readonly endpoint: string;

  constructor(private readonly options: HttpVersionServerOptions) {
    this.endpoint = `${options.baseUrl.replace(/\/+$/, '')}/api/v1/versions`;
  }

  /** Adds one version entry; resolves when it exists on the server. */
  async addVersion(entry: { version: string; security: boolean; releasedAt: string }): Promise<void> {
    let res: Response;
    try {
      res = await fetch(this.endpoint, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.options.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          version: entry.version,
          security: entry.security,
          released_at: entry.releasedAt,
        }),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
    } catch (error) {
      const name = error instanceof Error ? error.name : 'error';
      throw new VersionServerError(undefined, true, `version server could not be reached (${name})`);
    }
    // Drain the body so the connection can be reused; its content is not needed.
    await res.arrayBuffer().catch(() => undefined);
    if (res.ok || res.status === 409) return;
    throw new VersionServerError(
      res.status,
      isTransientStatus(res.status),
      `version server answered ${res.status} for ${entry.version}`,
    );
  }
}
