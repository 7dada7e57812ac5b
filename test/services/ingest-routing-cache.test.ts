import { describe, expect, it } from 'vitest';
import { RoutingCache } from '../../lib/services/routing-cache.js';

/** A clock the test moves by hand. */
function manualClock() {
  let now = 0;
  return { nowMs: () => now, advance: (ms: number) => (now += ms) };
}

describe('routing cache for ingress', () => {
  it('never returns a release for a key it did not see', () => {
    const cache = new RoutingCache();
    cache.remember('mr:42:123', ['42-77']);
    cache.add('mr:42:999', '42-77');

    expect(cache.get('mr:42:123')).toEqual(['42-77']);
    expect(cache.get('mr:42:124')).toBeUndefined();
    expect(cache.get('mr:42:999')).toBeUndefined();
  });

  it('asks the store again for a key that pointed at no release, so a new release is found at once', async () => {
    const cache = new RoutingCache();
    const answers: (readonly string[])[] = [[], ['42-77']];
    let lookups = 0;
    const lookup = async () => answers[lookups++] ?? [];

    expect(await cache.resolve('ref:42:security-fix', lookup)).toEqual([]);
    expect(await cache.resolve('ref:42:security-fix', lookup)).toEqual(['42-77']);
    expect(await cache.resolve('ref:42:security-fix', lookup)).toEqual(['42-77']);
    expect(lookups).toBe(2);
  });

  it('lets a project key expire sooner, since every new release of the project claims it', () => {
    const clock = manualClock();
    const cache = new RoutingCache({ ttlMs: 30_000, projectTtlMs: 2_000, nowMs: clock.nowMs });
    cache.remember('project:42', ['42-77']);
    cache.remember('mr:42:123', ['42-77']);
    clock.advance(2_001);

    expect(cache.get('project:42')).toBeUndefined();
    expect(cache.get('mr:42:123')).toEqual(['42-77']);
    clock.advance(28_000);
    expect(cache.get('mr:42:123')).toBeUndefined();
  });

  it('adds a release this process committed a key for to the cached lookup of that key', () => {
    const cache = new RoutingCache();
    cache.remember('project:42', ['42-77']);
    cache.add('project:42', '42-90');

    expect(cache.get('project:42')).toEqual(['42-77', '42-90']);
  });

  it('forgets the least recently used key beyond its bound', () => {
    const cache = new RoutingCache({ maxKeys: 2 });
    cache.remember('mr:42:1', ['42-77']);
    cache.remember('mr:42:2', ['42-77']);
    cache.get('mr:42:1');
    cache.remember('mr:42:3', ['42-77']);

    expect(cache.get('mr:42:2')).toBeUndefined();
    expect(cache.get('mr:42:1')).toEqual(['42-77']);
    expect(cache.get('mr:42:3')).toEqual(['42-77']);
  });
});
