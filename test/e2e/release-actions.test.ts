import { describe, expect, it } from 'vitest';
import { DEFAULT_PLAYBOOK } from '../../lib/core/default-playbook.js';
import { playRelease } from '../../lib/local/rehearsal/play.js';
import { useRehearsalWorld } from '../support/rehearsal-world.js';

/**
 * Whole releases through local mode: DynamoDB Local, the real ASL on the local engine, ingress
 * over HTTP, and the fake GitLab and version server playing the world (people merge MRs,
 * pipelines pass, deployments succeed, owners tick tasks). Assertions are on what the fakes received.
 */

const startWorld = useRehearsalWorld();

describe('a whole three-version release', () => {
  it('reaches Afterwards with every automated action done exactly once and one owner comment per phase start', async () => {
    const w = await startWorld();
    const result = await playRelease(w, { timeoutMs: 240_000 });
    expect(result.outcome).toBe('afterwards');
    const records = await w.runtime.deps.store.listActions(result.releaseId);
    const keys = records.map((r) => `${r.action} ${r.subject}`);
    expect(new Set(keys).size).toBe(keys.length);
    const pipelines = w.gitlab.pipelines.map(
      (p) => `${p.variables.SECREL_ACTION} ${p.variables.SECREL_VERSION ?? ''}`,
    );
    expect(new Set(pipelines).size).toBe(pipelines.length);
    expect(pipelines.filter((p) => p.startsWith('publish-packages'))).toHaveLength(3);
    expect(w.gitlab.issues.filter((i) => i.title.startsWith('Critical security release'))).toHaveLength(1);
    expect(w.gitlab.issues.filter((i) => i.title.startsWith('Lessons learned'))).toHaveLength(1);
    expect(w.versionServer.versions.map((v) => v.version).sort()).toEqual(['17.3', '17.4', '17.5']);
    for (const phase of DEFAULT_PLAYBOOK.phases) {
      const starts = w.gitlab.notes.filter((n) => n.body.startsWith(`### ${phase.title} has started`));
      expect(starts, phase.title).toHaveLength(1);
    }
  }, 300_000);
});

describe('a backport never merged', () => {
  it('publishes nothing and never lifts confidentiality', async () => {
    const w = await startWorld();
    const result = await playRelease(w, { failBackport: true, timeoutMs: 240_000 });
    expect(result.outcome).not.toBe('afterwards');
    expect(w.gitlab.pipelines.filter((p) => p.variables.SECREL_ACTION?.startsWith('publish'))).toHaveLength(
      0,
    );
    expect(
      w.gitlab.calls.filter(
        (c) =>
          c.method === 'PUT' &&
          c.body !== undefined &&
          JSON.stringify(c.body).includes('"confidential":false'),
      ),
    ).toHaveLength(0);
    expect(w.gitlab.notes.some((n) => n.body.startsWith('### Late:'))).toBe(true);
  }, 300_000);
});
