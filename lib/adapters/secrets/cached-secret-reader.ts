/** Where secret values come from: Secrets Manager on AWS. */
export interface SecretSource {
  /** The secret's current string value; rejects when it cannot be read. */
  read(secretId: string): Promise<string>;
}

/** Options of {@link CachedSecretReader}. */
export interface CachedSecretReaderOptions {
  /**
   * How long a value is served from memory, in ms. A Lambda container lives for hours; a bound lets
   * a rotated token reach running containers without a deploy. Default 15 minutes.
   */
  readonly maxAgeMs?: number;
  /** Milliseconds since the epoch; tests pass their own. */
  readonly now?: () => number;
}

interface Entry {
  readonly value: Promise<string>;
  readonly readAt: number;
}

/**
 * Reads each secret once per container (at cold start, or first use) and serves it from memory
 * afterwards. Concurrent first reads share one request; a failed read is not kept, so the next
 * invocation tries again. Values never leave this object except to the caller.
 */
export class CachedSecretReader {
  readonly #source: SecretSource;
  readonly #maxAgeMs: number;
  readonly #now: () => number;
  readonly #entries = new Map<string, Entry>();

  constructor(source: SecretSource, options: CachedSecretReaderOptions = {}) {
    this.#source = source;
    this.#maxAgeMs = options.maxAgeMs ?? 15 * 60 * 1000;
    this.#now = options.now ?? Date.now;
  }

  /** The secret's value, from memory when read within `maxAgeMs`. */
  read(secretId: string): Promise<string> {
    const now = this.#now();
    const entry = this.#entries.get(secretId);
    if (entry && now - entry.readAt < this.#maxAgeMs) return entry.value;
    const value = this.#source.read(secretId);
    this.#entries.set(secretId, { value, readAt: now });
    value.catch(() => {
      // Forget the failure, unless a newer read replaced it meanwhile.
      if (this.#entries.get(secretId)?.value === value) this.#entries.delete(secretId);
    });
    return value;
  }

  /** Reads several secrets at once, e.g. at cold start before the first event. */
  async preload(secretIds: readonly string[]): Promise<void> {
    await Promise.all(secretIds.map((id) => this.read(id)));
  }
}
