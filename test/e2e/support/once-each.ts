import { expect } from 'vitest';
import type { RehearsalWorld } from '../../../lib/local/rehearsal/world.js';

/** Counts of each key that appears more than once. */
export function repeated(keys: readonly string[]): Record<string, number> {
  const counts = new Map<string, number>();
  for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
  return Object.fromEntries([...counts].filter(([, n]) => n > 1));
}

/**
 * Asserts what the fakes received for a whole three-version release: no GitLab create twice, no
 * pipeline started twice (three publish-packages), and exactly one version entry per version.
 */
export function expectEachActionOnce(w: Pick<RehearsalWorld, 'gitlab' | 'versionServer'>): void {
  const creates = w.gitlab.calls
    .filter((c) => c.method === 'POST' && !c.path.endsWith('/notes'))
    .map((c) => `${c.path} ${JSON.stringify(c.body ?? {})}`);
  expect(repeated(creates), 'GitLab create calls').toEqual({});
  const pipelines = w.gitlab.pipelines.map(
    (p) => `${p.variables.SECREL_ACTION} ${p.variables.SECREL_VERSION ?? ''}`,
  );
  expect(repeated(pipelines), 'pipelines').toEqual({});
  expect(pipelines.filter((p) => p.startsWith('publish-packages'))).toHaveLength(3);
  const entries = w.versionServer.calls.filter((c) => c.method === 'POST').map((c) => JSON.stringify(c.body));
  expect(entries).toHaveLength(3);
  expect(repeated(entries), 'version entries').toEqual({});
}
