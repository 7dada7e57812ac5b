import { describe, expect, it } from 'vitest';
import { REHEARSAL_PEOPLE, REHEARSAL_PROJECT } from '../../lib/local/rehearsal/world.js';
import { useRehearsalWorld } from '../support/rehearsal-world.js';
import { playStory } from './support/storyline.js';

/**
 * A release that ends (issue #10, deviation 5), end to end: DynamoDB Local, the generated ASL on
 * the local engine, ingress over HTTP, fake GitLab. After Afterwards the release is `completed`
 * and its project routing keys are gone; a later MR event in its project is answered and changes
 * nothing; a restart does not resume it.
 */

const startWorld = useRehearsalWorld();

describe('a completed release', () => {
  it('ignores a later MR event in its project and is not resumed on restart', async () => {
    const w = await startWorld();
    const releaseId = await playStory(w, {
      timeoutMs: 200_000,
      until: ({ state }) => state.status === 'completed',
    });
    // The close step stores `completed` and then the execution reaches its Succeed state: wait for that end.
    const execution = await w.runtime.workflow.settled(releaseId);
    expect(execution.status).toBe('succeeded');
    const before = await w.runtime.deps.store.get(releaseId);
    expect(before?.status).toBe('completed');
    // Its project routing keys went with the completion: project events no longer reach it at all.
    expect(await w.runtime.deps.store.resolve(`project:${REHEARSAL_PROJECT.id}`)).not.toContain(releaseId);
    expect(await w.runtime.deps.store.resolve(`release:${releaseId}`)).toEqual([releaseId]);

    const late = await w.gitlab.openMergeRequest({
      project: REHEARSAL_PROJECT.id,
      sourceBranch: 'security-late-fix',
      targetBranch: REHEARSAL_PROJECT.defaultBranch,
      title: 'A late security fix',
      description: 'Opened after the release ended.',
      author: REHEARSAL_PEOPLE['dev team'],
    });
    expect(late.delivery.status).toBeLessThan(300);
    const after = await w.runtime.deps.store.get(releaseId);
    expect(after?.revision).toBe(before?.revision);
    expect(Object.keys(after?.mergeRequests ?? {})).toEqual(Object.keys(before?.mergeRequests ?? {}));

    const runtime = await w.restart();
    expect(runtime.resumed).not.toContain(releaseId);
    expect(runtime.workflow.describe(releaseId)).toBeUndefined();
    expect((await runtime.deps.store.get(releaseId))?.status).toBe('completed');
  }, 260_000);
});
