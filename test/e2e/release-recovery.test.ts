import { describe, expect, it } from 'vitest';
import { REHEARSAL_PEOPLE } from '../../lib/local/rehearsal/world.js';
import { useRehearsalWorld } from '../support/rehearsal-world.js';
import { playStory } from './support/storyline.js';

/**
 * A step that fails for good (issue #10, deviation 3), end to end: DynamoDB Local, the generated
 * ASL on the local engine, ingress over HTTP, fake GitLab. The GitLab user lookup behind
 * "First steps: create draft MR" answers 404 (a permanent failure): one comment to the step's
 * owners, the rest of the release goes on, and `/secrel retry draft-mr` runs the step again.
 */

const startWorld = useRehearsalWorld();

describe('a step that fails for good in First steps', () => {
  it('posts one comment, waits for /secrel retry, and the release then completes', async () => {
    const w = await startWorld();
    w.gitlab.failRequests({ method: 'GET', path: /\/users$/, status: 404, times: 1 });
    let retried = false;
    const releaseId = await playStory(w, {
      timeoutMs: 200_000,
      onTick: async ({ state }) => {
        const failed = w.gitlab.notes.some((n) => n.body.startsWith('### Step failed: draft-mr'));
        if (retried || !failed || !state.releaseIssue || state.gates['recover:draft-mr']?.token === undefined)
          return;
        retried = true;
        await w.gitlab.comment(
          state.releaseIssue.projectId,
          state.releaseIssue.iid,
          '/secrel retry draft-mr',
          REHEARSAL_PEOPLE['release managers'],
        );
      },
      until: ({ state }) => state.status === 'completed',
    });

    const failures = w.gitlab.notes.filter((n) => n.body.startsWith('### Step failed'));
    expect(failures).toHaveLength(1);
    expect(failures[0]?.body).toContain('`/secrel retry draft-mr`');
    expect(failures[0]?.body).toContain('Action.Failed');
    // The owners of the step and the release managers are mentioned; the error's text is not quoted.
    expect(failures[0]?.body).toContain(`@${REHEARSAL_PEOPLE['dev team']}`);
    expect(failures[0]?.body).not.toContain('no GitLab user named');
    expect(retried).toBe(true);

    const state = await w.runtime.deps.store.get(releaseId);
    expect(state?.status).toBe('completed');
    expect(state?.tasks['draft-mr']?.status).toBe('done');
    const drafts = w.gitlab.calls.filter((c) => c.method === 'POST' && /merge_requests$/.test(c.path));
    expect(drafts.length).toBeGreaterThanOrEqual(1);
    const records = await w.runtime.deps.store.listActions(releaseId);
    const keys = records.map((r) => `${r.action} ${r.subject}`);
    expect(new Set(keys).size).toBe(keys.length);
  }, 260_000);
});
