import type { ReleaseState } from '../core/types/release.js';

/**
 * The last state this process committed or read per release, so a delivery need not read it
 * again. It may be stale when another process (another Lambda, the gate or action services)
 * changed the release since: every commit built on it is conditioned on its revision, and a
 * conflict drops the entry and reads the release afresh.
 */
export class ReleaseStateCache {
  private readonly states = new Map<string, ReleaseState>();
  private readonly maxReleases: number;

  /** Keeps at most `maxReleases` releases, the least recently used going first. */
  constructor(maxReleases = 256) {
    this.maxReleases = Math.max(1, maxReleases);
  }

  /** The cached state of a release, or undefined when none is cached. */
  get(releaseId: string): ReleaseState | undefined {
    const state = this.states.get(releaseId);
    if (state) {
      this.states.delete(releaseId);
      this.states.set(releaseId, state);
    }
    return state;
  }

  /** Caches a state known to be stored (or forgets the release when there is none). */
  set(releaseId: string, state: ReleaseState | undefined): void {
    this.states.delete(releaseId);
    if (!state) return;
    this.states.set(releaseId, state);
    while (this.states.size > this.maxReleases) {
      const oldest = this.states.keys().next().value;
      if (oldest === undefined) break;
      this.states.delete(oldest);
    }
  }

  /** Forgets a release, so its next use reads it from the store. */
  delete(releaseId: string): void {
    this.states.delete(releaseId);
  }
}
