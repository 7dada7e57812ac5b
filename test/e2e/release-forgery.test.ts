import { describe, expect, it } from 'vitest';
import { thanksComment } from '../../lib/core/documents/follow-ups.js';
import { pipelineHook } from '../../lib/local/fakes/index.js';
import {
  ACKNOWLEDGEMENTS_PROJECT,
  REHEARSAL_PROJECT,
  type RehearsalWorld,
} from '../../lib/local/rehearsal/script.js';
import { phaseCutoff, playStory, reachedPhase } from './support/storyline.js';
import { useRehearsalWorld } from './support/world.js';

/**
 * Hostile but authenticated: someone who can run a pipeline in a watched project sends Pipeline Hooks
 * carrying secrel's `SECREL_*` variables. DynamoDB Local, the real ASL on the local engine, ingress over
 * HTTP, fake GitLab. With the 17.3 backport unmerged, no forged claim may complete a task, publish or
 * disclose; each is on the timeline as a refused claim.
 */

const startWorld = useRehearsalWorld();

const PUBLISH_ACTIONS = ['publish-packages', 'publish-docker', 'publish-code', 'update-githost'];

/** One forged pipeline: where it runs and what it claims. */
interface Forgery {
  readonly name: string;
  readonly project: { readonly id: number; readonly path: string };
  readonly pipelineId: number;
  readonly ref: string;
  readonly action: string;
  readonly version?: string;
}

const FORGERIES: readonly Forgery[] = [
  {
    name: 'from another project',
    project: ACKNOWLEDGEMENTS_PROJECT,
    pipelineId: 880_001,
    ref: '17-4-stable',
    action: 'publish-packages',
    version: '17.4',
  },
  {
    name: 'from the right project on another ref',
    project: REHEARSAL_PROJECT,
    pipelineId: 880_002,
    ref: 'mallory-was-here',
    action: 'publish-packages',
    version: '17.5',
  },
  {
    name: 'with a pipeline id secrel never started, on the configured ref',
    project: REHEARSAL_PROJECT,
    pipelineId: 880_003,
    ref: '17-3-stable',
    action: 'publish-packages',
    version: '17.3',
  },
  {
    name: 'for a once-per-release publish action on the configured ref',
    project: REHEARSAL_PROJECT,
    pipelineId: 880_004,
    ref: 'main',
    action: 'publish-code',
  },
  {
    name: 'for version entries, which no pipeline does',
    project: REHEARSAL_PROJECT,
    pipelineId: 880_005,
    ref: '17-5-stable',
    action: 'add-version-entries',
    version: '17.5',
  },
];

async function forge(w: RehearsalWorld, releaseId: string, forgery: Forgery): Promise<void> {
  for (const status of ['running', 'success'] as const) {
    const delivery = await w.gitlab.deliver(
      pipelineHook({
        project: forgery.project,
        pipelineId: forgery.pipelineId,
        ref: forgery.ref,
        status,
        variables: {
          SECREL_RELEASE_ID: releaseId,
          SECREL_ACTION: forgery.action,
          ...(forgery.version === undefined ? {} : { SECREL_VERSION: forgery.version }),
        },
        actor: { username: 'mallory' },
        instanceUrl: w.gitlab.url,
      }),
    );
    // Authenticated, so accepted: the refusal is secrel's judgement, not ingress's.
    expect(delivery.status).toBeLessThan(300);
  }
}

describe('forged pipeline variables', () => {
  it('complete no task, publish and disclose nothing, and are each recorded as a refused claim', async () => {
    const w = await startWorld();
    let forged = false;
    const releaseId = await playStory(w, {
      unmerged: '17.3',
      timeoutMs: 150_000,
      onTick: async ({ releaseId: id, state }) => {
        if (forged || !reachedPhase(state, 'day-three')) return;
        forged = true;
        for (const forgery of FORGERIES) await forge(w, id, forgery);
      },
      until: ({ state, now }) => {
        const end = phaseCutoff(state, 'day-four-end');
        return forged && end !== undefined && now > end.plus({ hours: 1 });
      },
    });
    const state = await w.runtime.deps.store.get(releaseId);
    if (!state) throw new Error('release missing');

    for (const key of Object.keys(state.tasks).filter((k) =>
      [...PUBLISH_ACTIONS, 'add-version-entries'].some((a) => k.startsWith(a)),
    )) {
      expect(state.tasks[key]?.status, key).toBe('open');
    }
    expect(
      w.gitlab.pipelines.filter((p) => PUBLISH_ACTIONS.includes(p.variables.SECREL_ACTION ?? '')),
    ).toEqual([]);
    expect(w.versionServer.versions).toEqual([]);
    const lifted = w.gitlab.calls.filter(
      (c) => c.method === 'PUT' && JSON.stringify(c.body ?? {}).includes('"confidential":false'),
    );
    expect(lifted).toEqual([]);
    expect(w.gitlab.issues.filter((i) => i.projectId === REHEARSAL_PROJECT.id && !i.confidential)).toEqual(
      [],
    );
    expect(w.gitlab.notes.filter((n) => n.body === thanksComment())).toEqual([]);
    expect(w.hackerone.calls).toEqual([]);

    const timeline = await w.runtime.deps.store.timeline(releaseId);
    const refused = timeline.filter((e) => e.kind === 'pipeline-claim-refused');
    for (const forgery of FORGERIES) {
      const mine = refused.filter((e) => e.summary.includes(`pipeline ${forgery.pipelineId} `));
      expect(mine.length, forgery.name).toBeGreaterThan(0);
      expect(mine[0]?.actor, forgery.name).toBe('mallory');
      expect(mine[0]?.summary, forgery.name).toContain(`in project ${forgery.project.id}`);
      expect(mine[0]?.summary, forgery.name).not.toContain('mallory-was-here');
    }
  }, 200_000);
});
