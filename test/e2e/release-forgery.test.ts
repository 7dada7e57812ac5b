import { describe, expect, it } from 'vitest';
import { DEFAULT_PLAYBOOK } from '../../lib/core/default-playbook.js';
import { thanksComment } from '../../lib/core/documents/follow-ups.js';
import { evaluateGate } from '../../lib/core/gates.js';
import { mergeRequestHook, pipelineHook } from '../../lib/local/fakes/index.js';
import { phaseCutoff, reachedPhase } from '../../lib/local/rehearsal/beats.js';
import {
  ACKNOWLEDGEMENTS_PROJECT,
  REHEARSAL_PEOPLE,
  REHEARSAL_PROJECT,
  REHEARSAL_VERSIONS,
  type RehearsalWorld,
} from '../../lib/local/rehearsal/world.js';
import { useRehearsalWorld } from '../support/rehearsal-world.js';
import { playStory } from './support/storyline.js';

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
        // Day two waits on the unmerged 17.3 backport: the forgeries come while the release is held.
        if (forged || !reachedPhase(state, 'day-two')) return;
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

/** The fix MR the story opened for 17.3 (the dev team's, counted), which the swap closes. */
function backportOf(w: RehearsalWorld, version: string) {
  const branch = `${version.replace('.', '-')}-stable`;
  const mr = w.gitlab.mergeRequests.find(
    (m) => m.projectId === REHEARSAL_PROJECT.id && m.targetBranch === branch,
  );
  if (!mr) throw new Error(`no backport MR for ${version} yet`);
  return mr;
}

describe('the MR swap', () => {
  for (const [where, project] of [
    ['the same project', REHEARSAL_PROJECT],
    ['another configured project', ACKNOWLEDGEMENTS_PROJECT],
  ] as const) {
    it(`in ${where}: the publish gate holds and the escalation names 17.3`, async () => {
      const w = await startWorld();
      if (project.id !== REHEARSAL_PROJECT.id) w.config.projects.push({ ...project });
      let swapped = false;
      const releaseId = await playStory(w, {
        unmerged: '17.3',
        timeoutMs: 150_000,
        onTick: async ({ state }) => {
          if (swapped || !reachedPhase(state, 'day-two')) return;
          if (!Object.values(state.mergeRequests).some((m) => m.version === '17.3')) return;
          swapped = true;
          const fix = backportOf(w, '17.3');
          fix.state = 'closed';
          await w.gitlab.deliver(
            mergeRequestHook({
              project: REHEARSAL_PROJECT,
              mergeRequest: fix,
              action: 'close',
              actor: { username: 'mallory' },
              instanceUrl: w.gitlab.url,
            }),
          );
          const { mergeRequest } = await w.gitlab.openMergeRequest({
            project: project.id,
            sourceBranch: 'mallory-17-3',
            targetBranch: '17-3-stable',
            title: 'Totally the fix',
            description: `Fixes ${REHEARSAL_PROJECT.path}#${state.vulnerabilityIssue.iid}`,
            author: 'mallory',
          });
          await w.gitlab.mergeMergeRequest(project.id, mergeRequest.iid, 'mallory');
          await w.gitlab.deliver(
            pipelineHook({
              project,
              pipelineId: 770_001,
              ref: 'mallory-17-3',
              status: 'success',
              actor: { username: 'mallory' },
              instanceUrl: w.gitlab.url,
            }),
          );
        },
        until: ({ state, now }) => {
          const end = phaseCutoff(state, 'day-four-end');
          return (
            swapped &&
            end !== undefined &&
            now > end.plus({ hours: 1 }) &&
            w.gitlab.notes.some((n) => n.body.startsWith('### Late:') && n.body.includes('17.3'))
          );
        },
      });
      const state = await w.runtime.deps.store.get(releaseId);
      if (!state) throw new Error('release missing');
      const swap = Object.values(state.mergeRequests).find((m) => m.sourceBranch === 'mallory-17-3');
      expect(swap).toMatchObject({ projectId: project.id, state: 'merged', version: '17.3' });
      expect(swap?.countedVia).toBeUndefined();
      expect(state.replacementNeeded?.['17.3']).toBeDefined();
      expect(state.gates.publish?.status).not.toBe('open');
      expect(
        w.gitlab.pipelines.filter((p) => PUBLISH_ACTIONS.includes(p.variables.SECREL_ACTION ?? '')),
      ).toEqual([]);
      expect(w.versionServer.versions).toEqual([]);
      const late = w.gitlab.notes.filter((n) => n.body.startsWith('### Late:'));
      expect(late.length).toBeGreaterThan(0);
      expect(late.every((n) => n.body.includes('17.3'))).toBe(true);
      // What the publish gate waits on says why: the swapped MR is no fix.
      const missing = evaluateGate(state, 'publish', DEFAULT_PLAYBOOK).missing;
      expect(missing.some((m) => m.includes('17.3 has no fix'))).toBe(true);
    }, 200_000);
  }
});

describe('a publish step with no configured target', () => {
  it('publishes nothing by itself, asks the owner to do it by hand, and completes after /secrel done', async () => {
    const w = await startWorld();
    // Nobody configured a pipeline for publishing packages.
    delete w.config.pipelines['publish-packages'];
    const packager = REHEARSAL_PEOPLE['packaging team'];
    const asked = new Set<string>();
    let disclosedBeforeDone = false;
    const releaseId = await playStory(w, {
      timeoutMs: 180_000,
      onTick: async ({ state }) => {
        for (const version of REHEARSAL_VERSIONS) {
          const key = `publish-packages@${version}`;
          if (asked.has(key) || state.tasks[key]?.manual !== true || !state.releaseIssue) continue;
          asked.add(key);
          // Until the owner says it is done, nothing is disclosed.
          if (w.gitlab.notes.some((n) => n.body === thanksComment())) disclosedBeforeDone = true;
          if (w.gitlab.calls.some((c) => JSON.stringify(c.body ?? {}).includes('"confidential":false')))
            disclosedBeforeDone = true;
          expect(state.tasks[key]?.status).toBe('open');
          await w.gitlab.comment(
            state.releaseIssue.projectId,
            state.releaseIssue.iid,
            `/secrel done ${key}`,
            packager,
          );
        }
      },
      until: ({ releaseId: id }) => {
        const execution = w.runtime.workflow.describe(id);
        return execution !== undefined && execution.status !== 'running';
      },
    });
    expect(w.runtime.workflow.describe(releaseId)?.status).toBe('succeeded');
    expect(disclosedBeforeDone).toBe(false);
    expect([...asked].sort()).toEqual(REHEARSAL_VERSIONS.map((v) => `publish-packages@${v}`).sort());
    expect(w.gitlab.pipelines.filter((p) => p.variables.SECREL_ACTION === 'publish-packages')).toEqual([]);
    for (const version of REHEARSAL_VERSIONS) {
      expect(
        w.gitlab.notes.some((n) =>
          n.body.includes(
            `publish security packages to public for ${version} by hand, then \`/secrel done publish-packages@${version}\``,
          ),
        ),
        version,
      ).toBe(true);
    }
    const state = await w.runtime.deps.store.get(releaseId);
    for (const version of REHEARSAL_VERSIONS) {
      expect(state?.tasks[`publish-packages@${version}`]).toMatchObject({ status: 'done', by: packager });
    }
    // Disclosure followed the owner's word, once.
    expect(w.gitlab.notes.filter((n) => n.body === thanksComment())).toHaveLength(1);
  }, 240_000);
});
