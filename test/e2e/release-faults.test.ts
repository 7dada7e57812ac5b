import { describe, expect, it } from 'vitest';
import { DEFAULT_PLAYBOOK } from '../../lib/core/default-playbook.js';
import { playRelease } from '../../lib/local/rehearsal/play.js';
import { useRehearsalWorld } from '../support/rehearsal-world.js';

/**
 * A whole three-version release against a GitLab under strain: the fake GitLab answers 500 and
 * 502 to some creates and edits, and 429 with `Retry-After` to others. Every failure is an
 * answer (the call did not take effect), so the actions are retried (the adapter after
 * Retry-After, the state machine on 5xx) and the release completes with every action done once.
 * Calls that get no answer at all (timeouts) are covered in test/adapters/gitlab/retry-after.test.ts:
 * a create is then never repeated blindly, which a person has to resolve.
 */

const startWorld = useRehearsalWorld();

describe('a whole release while GitLab fails some calls', () => {
  it('completes with every action once through 500, 502 and 429 with Retry-After', async () => {
    const w = await startWorld();
    const plans = [
      { method: 'POST', path: /\/issues$/, status: 500, times: 2 },
      { method: 'POST', path: /\/notes$/, status: 502, times: 3 },
      { method: 'POST', path: /\/pipeline$/, status: 429, times: 3, retryAfter: '1' },
      { method: 'POST', path: /\/merge_requests$/, status: 502, times: 1 },
      { method: 'POST', path: /\/repository\/branches$/, status: 429, times: 1, retryAfter: '1' },
      { method: 'PUT', path: /\/issues\/\d+$/, status: 500, times: 2 },
    ];
    for (const plan of plans) w.gitlab.failRequests(plan);
    const result = await playRelease(w, { timeoutMs: 240_000 });
    expect(result.outcome).toBe('afterwards');

    const records = await w.runtime.deps.store.listActions(result.releaseId);
    const keys = records.map((r) => `${r.action} ${r.subject}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(
      records.filter((r) => r.status !== 'succeeded').map((r) => `${r.action} ${r.subject} ${r.status}`),
    ).toEqual([]);
    const pipelines = w.gitlab.pipelines.map(
      (p) => `${p.variables.SECREL_ACTION} ${p.variables.SECREL_VERSION ?? ''}`,
    );
    expect(new Set(pipelines).size).toBe(pipelines.length);
    expect(pipelines.filter((p) => p.startsWith('publish-packages'))).toHaveLength(3);
    expect(w.gitlab.issues.filter((i) => i.title.startsWith('Critical security release'))).toHaveLength(1);
    expect(w.gitlab.issues.filter((i) => i.title.startsWith('Lessons learned'))).toHaveLength(1);
    for (const phase of DEFAULT_PLAYBOOK.phases) {
      const starts = w.gitlab.notes.filter((n) => n.body.startsWith(`### ${phase.title} has started`));
      expect(starts, phase.title).toHaveLength(1);
    }

    // Counts: calls per kind, and how many were answered with a planned failure.
    const count = (method: string, path: RegExp) =>
      w.gitlab.calls.filter((c) => c.method === method && path.test(decodeURIComponent(c.path))).length;
    const counts = {
      requests: w.gitlab.calls.length,
      failuresServed: plans.reduce((sum, p) => sum + p.times, 0) - w.gitlab.plannedFailuresLeft(),
      issueCreates: count('POST', /\/issues$/),
      issuesCreated: w.gitlab.issues.length,
      pipelineCreates: count('POST', /\/pipeline$/),
      pipelinesCreated: w.gitlab.pipelines.length,
      noteCreates: count('POST', /\/notes$/),
      notesCreated: w.gitlab.notes.length,
    };
    console.info(`release under GitLab faults: ${JSON.stringify(counts)}`);
    // Every planned failure was served (the calls happened and failed) and nothing was created twice.
    expect(w.gitlab.plannedFailuresLeft()).toBe(0);
    expect(counts.pipelineCreates).toBe(counts.pipelinesCreated + 3);
  }, 300_000);
});
