import { describe, expect, it } from 'vitest';
import { CachedSecretReader, type SecretSource } from '../../../lib/adapters/secrets/index.js';

/** Secrets Manager as seen from a container: values by id, and a count of requests made. */
function countingSource(values: Record<string, string>) {
  const requests: string[] = [];
  let failNext = false;
  const source: SecretSource = {
    async read(id) {
      requests.push(id);
      if (failNext) {
        failNext = false;
        throw new Error('throttled');
      }
      const value = values[id];
      if (value === undefined) throw new Error(`no secret ${id}`);
      return value;
    },
  };
  return { source, requests, values, failOnce: () => (failNext = true) };
}

describe('cached secret reader', () => {
  it('fetches a secret once per container and serves later invocations from memory', async () => {
    const world = countingSource({ 'gitlab-token': 'glpat-1' });
    const reader = new CachedSecretReader(world.source);
    expect(await reader.read('gitlab-token')).toBe('glpat-1');
    expect(await reader.read('gitlab-token')).toBe('glpat-1');
    expect(world.requests).toEqual(['gitlab-token']);
  });

  it('shares one request between concurrent first reads', async () => {
    const world = countingSource({ webhook: 's3cret' });
    const reader = new CachedSecretReader(world.source);
    const values = await Promise.all([
      reader.read('webhook'),
      reader.read('webhook'),
      reader.read('webhook'),
    ]);
    expect(values).toEqual(['s3cret', 's3cret', 's3cret']);
    expect(world.requests).toHaveLength(1);
  });

  it('does not keep a failed read, so the next invocation tries again', async () => {
    const world = countingSource({ webhook: 's3cret' });
    const reader = new CachedSecretReader(world.source);
    world.failOnce();
    await expect(reader.read('webhook')).rejects.toThrow('throttled');
    expect(await reader.read('webhook')).toBe('s3cret');
    expect(world.requests).toHaveLength(2);
  });

  it('picks up a rotated token once the cached value is older than maxAgeMs', async () => {
    const world = countingSource({ 'gitlab-token': 'old' });
    let now = 0;
    const reader = new CachedSecretReader(world.source, { maxAgeMs: 1000, now: () => now });
    expect(await reader.read('gitlab-token')).toBe('old');
    world.values['gitlab-token'] = 'new';
    now = 999;
    expect(await reader.read('gitlab-token')).toBe('old');
    now = 1000;
    expect(await reader.read('gitlab-token')).toBe('new');
  });

  it('preloads several secrets at cold start', async () => {
    const world = countingSource({ a: '1', b: '2' });
    const reader = new CachedSecretReader(world.source);
    await reader.preload(['a', 'b']);
    await reader.read('a');
    await reader.read('b');
    expect(world.requests.sort()).toEqual(['a', 'b']);
  });
});
