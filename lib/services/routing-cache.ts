/**
 * In-process cache of routing lookups (routing key -> release ids). Routing items are only ever
 * added, so a key seen pointing at a release keeps pointing at it; what a cached entry can miss is
 * a release that claimed the key since, in another process. Entries therefore live briefly (a
 * `project:` key, which every newly started release of the project claims, the shortest), and
 * keys that resolved to nothing are never cached: a new release must be found at once.
 */

/** Options for {@link RoutingCache}. */
export interface RoutingCacheOptions {
  /** Most keys kept; the least recently used go first (default 10,000). */
  readonly maxKeys?: number;
  /** How long an entry answers, in ms (default 30 s). */
  readonly ttlMs?: number;
  /** How long a `project:` entry answers, in ms (default 2 s). */
  readonly projectTtlMs?: number;
  /** Monotonic milliseconds; injectable for tests. */
  readonly nowMs?: () => number;
}

interface Entry {
  readonly releaseIds: readonly string[];
  readonly expiresAt: number;
}

const PROJECT_PREFIX = 'project:';

/** A bounded, expiring map from routing key to the release ids a lookup returned. */
export class RoutingCache {
  private readonly entries = new Map<string, Entry>();
  private readonly maxKeys: number;
  private readonly ttlMs: number;
  private readonly projectTtlMs: number;
  private readonly nowMs: () => number;

  constructor(options: RoutingCacheOptions = {}) {
    this.maxKeys = Math.max(1, options.maxKeys ?? 10_000);
    this.ttlMs = options.ttlMs ?? 30_000;
    this.projectTtlMs = options.projectTtlMs ?? 2_000;
    this.nowMs = options.nowMs ?? (() => performance.now());
  }

  /** The release ids a still fresh lookup of `key` returned, or undefined. */
  get(key: string): readonly string[] | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.expiresAt <= this.nowMs()) return undefined;
    // Re-inserted so Map order is least recently used first.
    this.entries.set(key, entry);
    return entry.releaseIds;
  }

  /** Remembers what a lookup of `key` returned; an empty answer is not remembered. */
  remember(key: string, releaseIds: readonly string[]): void {
    this.entries.delete(key);
    if (releaseIds.length === 0) return;
    const ttl = key.startsWith(PROJECT_PREFIX) ? this.projectTtlMs : this.ttlMs;
    this.entries.set(key, { releaseIds: [...new Set(releaseIds)].sort(), expiresAt: this.nowMs() + ttl });
    while (this.entries.size > this.maxKeys) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }

  /**
   * Adds a release this process just committed `key` for, to an entry already cached. A key not
   * cached stays uncached: other releases may own it too, and only a lookup can say which.
   */
  add(key: string, releaseId: string): void {
    const entry = this.entries.get(key);
    if (!entry || entry.releaseIds.includes(releaseId)) return;
    this.entries.set(key, { ...entry, releaseIds: [...entry.releaseIds, releaseId].sort() });
  }

  /** Resolves `key` from the cache, else with `lookup`, remembering a non-empty answer. */
  async resolve(
    key: string,
    lookup: (key: string) => Promise<readonly string[]>,
  ): Promise<readonly string[]> {
    const cached = this.get(key);
    if (cached) return cached;
    const releaseIds = await lookup(key);
    this.remember(key, releaseIds);
    return releaseIds;
  }
}
