import { describe, expect, it } from 'vitest';
import { reachedPhase } from '../../lib/local/rehearsal/beats.js';
import { REHEARSAL_PEOPLE } from '../../lib/local/rehearsal/world.js';
import { useRehearsalWorld } from '../support/rehearsal-world.js';
import { expectEachActionOnce, repeated } from './support/once-each.js';
import { playStory } from './support/storyline.js';

/**
 * A release whose execution is stopped mid-way and re-driven from the top, end to end
 * (DynamoDB Local, the real ASL on the local engine, ingress over HTTP, the fakes). Re-driving
 * relies on every action reading its record: nothing the fakes received may appear twice.
 */

const startWorld = useRehearsalWorld();

describe('a release stopped during Day two and re-driven', () => {
  it('finishes the release and performs no action twice', async () => {
    const w = await startWorld();
    let redriven = false;
    const releaseId = await playStory(w, {
      timeoutMs: 150_000,
      onTick: async ({ releaseId: id, state }) => {
        if (redriven || !reachedPhase(state, 'day-two')) return;
        redriven = true;
        await w.runtime.workflow.stop(id, 'test stops the execution');
        expect(w.runtime.workflow.describe(id)?.status).toBe('aborted');
        await w.runtime.workflow.start(id, { releaseId: id }, { redrive: true });
      },
      until: ({ releaseId: id }) => {
        const execution = w.runtime.workflow.describe(id);
        return redriven && execution !== undefined && execution.status !== 'running';
      },
    });
    const execution = w.runtime.workflow.describe(releaseId);
    expect(execution?.run).toBe(2);
    expect(execution?.status).toBe('succeeded');

    expectEachActionOnce(w);
    // People's notes are the test's own; every note secrel wrote (one per moment) is there once.
    const people = new Set<string>(Object.values(REHEARSAL_PEOPLE));
    const secrelNotes = w.gitlab.notes.filter((n) => !people.has(n.author)).map((n) => n.body);
    expect(secrelNotes.length).toBeGreaterThan(0);
    expect(repeated(secrelNotes), 'comments').toEqual({});
    const records = await w.runtime.deps.store.listActions(releaseId);
    expect(records.filter((r) => r.status !== 'succeeded').map((r) => `${r.action} ${r.subject}`)).toEqual(
      [],
    );
  }, 180_000);
});
