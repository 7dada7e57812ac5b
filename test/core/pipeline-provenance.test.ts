import { describe, expect, it } from 'vitest';
import { recordStartedPipeline } from '../../lib/core/pipeline-provenance.js';
import type { ReleaseState } from '../../lib/core/types/release.js';
import {
  applyAll,
  ctxAt,
  EE_PROJECT,
  PROJECT,
  pipelineEvent,
  scheduledRelease,
  startedPipeline,
} from './release-helpers.js';

/**
 * `SECREL_*` variables are only a claim: a pipeline completes a task only when secrel recorded starting
 * it (project, ref, id). Each failing attempt below is one an attacker who can run a pipeline could make.
 */

const KEY = 'publish-packages@17.4';
const claim = (release: ReleaseState) => ({
  SECREL_RELEASE_ID: release.id,
  SECREL_ACTION: 'publish-packages',
  SECREL_VERSION: '17.4',
});

function expectRefused(release: ReleaseState, over: Parameters<typeof pipelineEvent>[0]): void {
  const result = applyAll(release, pipelineEvent({ status: 'success', variables: claim(release), ...over }));
  expect(result.state.tasks[KEY]?.status).toBe('open');
  expect(result.state.tasks).toEqual(release.tasks);
  expect(result.state.pipelines).toEqual(release.pipelines);
  expect(result.effects).toEqual([]);
  const refused = result.timeline.filter((e) => e.kind === 'pipeline-claim-refused');
  expect(refused).toHaveLength(1);
  expect(refused[0]?.actor).toBe('mallory');
  expect(refused[0]?.summary).toContain(`pipeline ${over?.pipelineId ?? 500}`);
  expect(refused[0]?.summary).toContain(`project ${over?.projectId ?? PROJECT.id}`);
  // No ref and no variable text: branch names can tell what the fix is.
  expect(refused[0]?.summary).not.toContain(over?.ref ?? '17-4-stable');
}

describe('pipeline provenance', () => {
  it('refuses a claim from another configured project', () => {
    const release = startedPipeline(scheduledRelease(), KEY, 500, '17-4-stable');
    expectRefused(release, {
      projectId: EE_PROJECT.id,
      projectPath: EE_PROJECT.path,
      ref: '17-4-stable',
      actor: 'mallory',
    });
  });

  it('refuses a claim from the right project on another ref', () => {
    const release = startedPipeline(scheduledRelease(), KEY, 500, '17-4-stable');
    expectRefused(release, { ref: 'mallory-branch', actor: 'mallory' });
  });

  it('refuses a claim with a pipeline id secrel never started, before and after secrel started its own', () => {
    expectRefused(scheduledRelease(), { pipelineId: 666, ref: '17-4-stable', actor: 'mallory' });
    const started = startedPipeline(scheduledRelease(), KEY, 500, '17-4-stable');
    expectRefused(started, { pipelineId: 666, ref: '17-4-stable', actor: 'mallory' });
  });

  it('refuses a claim naming no task of the release, without repeating its variable text', () => {
    const release = scheduledRelease();
    const result = applyAll(
      release,
      pipelineEvent({
        variables: { SECREL_RELEASE_ID: release.id, SECREL_ACTION: 'lift-the-embargo-please' },
        actor: 'mallory',
      }),
    );
    const refused = result.timeline.find((e) => e.kind === 'pipeline-claim-refused');
    expect(refused?.summary).not.toContain('lift-the-embargo');
    expect(result.state.tasks).toEqual(release.tasks);
  });

  it('records a redelivered refused claim once', () => {
    const release = scheduledRelease();
    const forged = pipelineEvent({ pipelineId: 666, ref: '17-4-stable', variables: claim(release) });
    const once = applyAll(release, forged);
    expect(once.changed).toBe(true);
    expect(applyAll(once.state, forged).changed).toBe(false);
  });

  it('completes the task from the pipeline secrel started, on its project and ref', () => {
    const release = startedPipeline(scheduledRelease(), KEY, 500, '17-4-stable');
    const result = applyAll(release, pipelineEvent({ ref: '17-4-stable', variables: claim(release) }));
    expect(result.state.tasks[KEY]).toMatchObject({ status: 'done', via: 'automation' });
    expect(result.timeline.some((e) => e.kind === 'pipeline-claim-refused')).toBe(false);
  });

  it('adopts the status of secrel’s own pipeline whose webhook arrived before secrel recorded its id', () => {
    const release = scheduledRelease();
    const early = applyAll(release, pipelineEvent({ ref: '17-4-stable', variables: claim(release) })).state;
    expect(early.tasks[KEY]?.status).toBe('open');
    const recorded = recordStartedPipeline(
      early,
      KEY,
      { projectId: PROJECT.id, pipelineId: 500, ref: '17-4-stable' },
      ctxAt(20),
    );
    expect(recorded?.state.tasks[KEY]).toMatchObject({ status: 'done', via: 'automation' });
    // Another pipeline's early claim is not adopted.
    const other = recordStartedPipeline(
      early,
      KEY,
      { projectId: PROJECT.id, pipelineId: 501, ref: '17-4-stable' },
      ctxAt(20),
    );
    expect(other?.state.tasks[KEY]?.status).toBe('open');
  });
});
