import { describe, expect, it } from 'vitest';
import { DEFAULT_PLAYBOOK } from '../../lib/core/default-playbook.js';
import { thanksComment } from '../../lib/core/documents/follow-ups.js';
import { utc } from '../../lib/core/documents/format.js';
import type { PhaseId } from '../../lib/core/types/playbook.js';
import { phaseCutoff } from '../../lib/local/rehearsal/beats.js';
import {
  REHEARSAL_PEOPLE,
  REHEARSAL_VERSIONS,
  type RehearsalWorld,
} from '../../lib/local/rehearsal/world.js';
import { useRehearsalWorld } from '../support/rehearsal-world.js';
import { playStory } from './support/storyline.js';

/**
 * Releases that go wrong, end to end: DynamoDB Local, the real ASL on the local engine, ingress
 * over HTTP, fake GitLab and version server. What is asserted is what the fakes received.
 */

const startWorld = useRehearsalWorld();

const PUBLISH_ACTIONS = ['publish-packages', 'publish-docker', 'publish-code', 'update-githost'];

/** Nothing public and nothing disclosed: no publish pipeline, no version entry, confidentiality kept. */
function expectNothingPublishedOrDisclosed(w: RehearsalWorld): void {
  expect(w.gitlab.pipelines.filter((p) => PUBLISH_ACTIONS.includes(p.variables.SECREL_ACTION ?? ''))).toEqual(
    [],
  );
  const lifted = w.gitlab.calls.filter(
    (c) => c.method === 'PUT' && JSON.stringify(c.body ?? {}).includes('"confidential":false'),
  );
  expect(lifted).toEqual([]);
  // The release's project only: the acknowledgements page elsewhere is public by nature.
  expect(w.gitlab.issues.filter((i) => i.projectId === 1 && i.confidential === false)).toEqual([]);
}

/** Nothing disclosed: confidentiality kept, no thanks, no disclosure approval. */
function expectNothingDisclosed(w: RehearsalWorld, releaseActions: readonly string[]): void {
  const lifted = w.gitlab.calls.filter(
    (c) => c.method === 'PUT' && JSON.stringify(c.body ?? {}).includes('"confidential":false'),
  );
  expect(lifted).toEqual([]);
  // The release's project only: the acknowledgements page elsewhere is public by nature.
  expect(w.gitlab.issues.filter((i) => i.projectId === 1 && i.confidential === false)).toEqual([]);
  for (const action of ['lift-confidentiality', 'thank-reporters']) {
    expect(releaseActions.some((a) => a.startsWith(action))).toBe(false);
  }
  // The thanks on the vulnerability issue are what disclosure writes first.
  expect(w.gitlab.notes.filter((n) => n.body === thanksComment())).toEqual([]);
}

describe('a backport that is never merged', () => {
  it('publishes nothing, lifts no confidentiality, and escalates each late gate at its own cutoff, naming that cutoff, then every four hours', async () => {
    const w = await startWorld();
    const lateGates: PhaseId[] = ['day-two', 'day-three'];
    let lastCutoff: string | undefined;
    const releaseId = await playStory(w, {
      unmerged: '17.3',
      timeoutMs: 120_000,
      // Stop once the Day four 23:59 escalation is in, an hour of release time later.
      until: ({ state, now }) => {
        const end = phaseCutoff(state, 'day-four-end');
        if (end) lastCutoff = utc(end);
        return (
          end !== undefined &&
          now > end.plus({ hours: 1 }) &&
          w.gitlab.notes.some((n) => n.body.startsWith('### Late:') && n.body.includes(utc(end)))
        );
      },
    });
    expect(lastCutoff).toBeDefined();
    const state = await w.runtime.deps.store.get(releaseId);
    if (!state) throw new Error('release missing');

    expectNothingPublishedOrDisclosed(w);
    expect(w.versionServer.calls).toEqual([]);

    const late = w.gitlab.notes.filter((n) => n.body.startsWith('### Late:'));
    // Once per moment reached: a repeat names the same cutoff but a later next escalation.
    expect(new Set(late.map((n) => n.body)).size, 'one notice per escalation moment').toBe(late.length);
    const titles = new Map(DEFAULT_PLAYBOOK.phases.map((p) => [p.title, p.id]));
    for (const note of late) {
      const header = /^### Late: (.+) missed its cutoff of (.+)$/.exec(note.body.split('\n')[0] ?? '');
      expect(header, note.body.split('\n')[0]).not.toBeNull();
      const [, what = '', cutoff = ''] = header ?? [];
      // Each notice names the cutoff of the gate it is about (issue #10: not a later phase's).
      const phase = what === 'Publication' ? 'day-four-end' : titles.get(what);
      if (phase === undefined) continue;
      const own = phaseCutoff(state, phase);
      expect(own && cutoff === utc(own), `${what} named ${cutoff}`).toBe(true);
    }
    for (const phase of [...lateGates, 'day-four-end']) {
      const cutoff = phaseCutoff(state, phase);
      if (!cutoff) throw new Error(`no cutoff for ${phase}`);
      const atCutoff = late.filter((n) => (n.body.split('\n')[0] ?? '').includes(`of ${utc(cutoff)}`));
      expect(atCutoff.length, `escalations at the ${phase} cutoff`).toBeGreaterThan(0);
    }
    for (const note of late) {
      expect(note.body).toContain(`@${REHEARSAL_PEOPLE['security lead']}`);
      expect(note.body).toContain(`@${REHEARSAL_PEOPLE['release managers']}`);
    }
    // What is late is named: the unmerged backport's version.
    expect(late.every((n) => n.body.includes('17.3'))).toBe(true);
  }, 180_000);
});

describe('a publish action that fails for good', () => {
  it('stops the release before disclosure, tells the release managers, and the execution fails', async () => {
    const w = await startWorld();
    w.versionServer.failPermanently(422);
    const releaseId = await playStory(w, {
      timeoutMs: 150_000,
      until: ({ releaseId: id }) => {
        const execution = w.runtime.workflow.describe(id);
        return execution !== undefined && execution.status !== 'running';
      },
    });
    const execution = w.runtime.workflow.describe(releaseId);
    expect(execution?.status).toBe('failed');

    const records = await w.runtime.deps.store.listActions(releaseId);
    const actions = records.map((r) => `${r.action} ${r.subject} ${r.status}`);
    expectNothingDisclosed(w, actions);
    expect(w.versionServer.versions).toEqual([]);
    expect(w.versionServer.calls.filter((c) => c.method === 'POST').length).toBeGreaterThan(0);

    const failed = w.gitlab.notes.filter((n) => n.body.startsWith('### Publication failed'));
    expect(failed).toHaveLength(1);
    expect(failed[0]?.body).toContain(`@${REHEARSAL_PEOPLE['release managers']}`);
    expect(w.gitlab.issues.filter((i) => i.title.startsWith('Lessons learned'))).toEqual([]);
  }, 180_000);
});

describe('a publish action that fails twice and then succeeds', () => {
  it('is retried and performed once: exactly one accepted version entry per version', async () => {
    const w = await startWorld();
    w.versionServer.failNext(2, 503);
    const releaseId = await playStory(w, {
      timeoutMs: 150_000,
      until: ({ releaseId: id }) => {
        const execution = w.runtime.workflow.describe(id);
        return execution !== undefined && execution.status !== 'running';
      },
    });
    expect(w.runtime.workflow.describe(releaseId)?.status).toBe('succeeded');

    const posts = w.versionServer.calls.filter((c) => c.method === 'POST');
    // Two refused with 503, then one accepted per version, and nothing repeated after success.
    expect(posts).toHaveLength(REHEARSAL_VERSIONS.length + 2);
    expect(w.versionServer.versions.map((v) => v.version).sort()).toEqual([...REHEARSAL_VERSIONS].sort());
    const records = await w.runtime.deps.store.listActions(releaseId);
    const entries = records.filter((r) => r.action === 'add-version-entries');
    expect(entries.every((r) => r.status === 'succeeded')).toBe(true);
    // Disclosure followed, once: the same check that finds no thanks after a failed publication.
    expect(w.gitlab.notes.filter((n) => n.body === thanksComment())).toHaveLength(1);
  }, 180_000);
});
