import { describe, expect, it } from 'vitest';
import { DEFAULT_PLAYBOOK } from '../../../lib/core/default-playbook.js';
import { parsePlaybook } from '../../../lib/core/playbook-schema.js';
import { apply } from '../../../lib/core/release/apply.js';
import { patchVersionOfTag } from '../../../lib/core/release/tag-proof.js';
import { eventRoutingKeys, releaseRoutingKeys } from '../../../lib/core/routing.js';
import { statusReport } from '../../../lib/core/status-report.js';
import { setStatus } from '../../../lib/core/transitions.js';
import type { ReleaseHookEvent, TagPushEvent } from '../../../lib/core/types/events.js';
import type { Playbook } from '../../../lib/core/types/playbook.js';
import type { ReleaseState } from '../../../lib/core/types/release.js';
import { at, CONFIG, ctxAt, EE_PROJECT, PROJECT, scheduledRelease } from '../release-helpers.js';

function tagPush(tag: string, over: Partial<TagPushEvent> = {}): TagPushEvent {
  return {
    kind: 'tag_push',
    projectId: PROJECT.id,
    projectPath: PROJECT.path,
    ref: `refs/tags/${tag}`,
    tag,
    deleted: false,
    updatedAt: at(20),
    ...over,
  };
}

function releaseHook(tag: string, over: Partial<ReleaseHookEvent> = {}): ReleaseHookEvent {
  return {
    kind: 'release',
    projectId: EE_PROJECT.id,
    projectPath: EE_PROJECT.path,
    tag,
    action: 'create',
    updatedAt: at(20),
    ...over,
  };
}

/** A release whose publication is under way (the publish block started), waiting on publish-code's pipeline. */
function publishing(): ReleaseState {
  const state = setStatus(scheduledRelease(), 'publishing', ctxAt(1)).state;
  return {
    ...state,
    gates: { ...state.gates, 'pipeline:publish-code': { status: 'waiting', token: 'tok-pc', since: at(1) } },
  };
}

describe('patch version tags', () => {
  it('reads the patch version of v-prefixed, bare and edition tags', () => {
    expect(patchVersionOfTag('v17.5.3')).toEqual({ version: '17.5', patchVersion: '17.5.3' });
    expect(patchVersionOfTag('17.5.3')).toEqual({ version: '17.5', patchVersion: '17.5.3' });
    expect(patchVersionOfTag('17.5.3-ee')).toEqual({ version: '17.5', patchVersion: '17.5.3' });
    expect(patchVersionOfTag('v17.10.0-ce')).toEqual({ version: '17.10', patchVersion: '17.10.0' });
    expect(patchVersionOfTag('17.5.3+ee.0')).toEqual({ version: '17.5', patchVersion: '17.5.3' });
    expect(patchVersionOfTag('refs/tags/v17.5.3')).toEqual({ version: '17.5', patchVersion: '17.5.3' });
  });

  it('names no release for candidates, minor-only or other tags', () => {
    for (const tag of ['17.5.3-rc1', 'v17.5', '17.5.3-evil', 'release-17.5.3', 'v17.5.3.4', '']) {
      expect(patchVersionOfTag(tag), tag).toBeUndefined();
    }
  });
});

describe('a tag before the publish gate held', () => {
  it('proves nothing: no task done, nothing recorded, an embargo warning on the timeline and to the lead', () => {
    const release = scheduledRelease();
    const result = apply(release, tagPush('v17.5.3'), ctxAt(20));
    expect(result.state.tags).toBeUndefined();
    expect(result.state.tasks['publish-code']?.status).toBe('open');
    expect(result.timeline.map((t) => t.kind)).toEqual(['tag-refused']);
    expect(result.timeline[0]?.summary).toContain('before the publish gate held');
    expect(result.effects).toEqual([
      expect.objectContaining({ type: 'notify', roles: ['security lead', 'release managers'] }),
    ]);
    const notice = result.effects[0];
    expect(notice?.type === 'notify' && notice.message).toContain('embargo risk');
  });

  it('a GitLab release before the gate is refused the same way, even with every version tagged', () => {
    let state = scheduledRelease();
    for (const tag of ['v17.5.3', 'v17.4.6', 'v17.3.9']) {
      const result = apply(state, releaseHook(tag), ctxAt(20));
      expect(result.timeline.map((t) => t.kind)).toEqual(['tag-refused']);
      state = result.state;
    }
    expect(state.tags).toBeUndefined();
    expect(state.tasks['publish-code']?.status).toBe('open');
  });
});

describe('tags once publication is under way', () => {
  it('records each version and completes publish-code only when every affected version is tagged', () => {
    let result = apply(publishing(), tagPush('v17.5.3'), ctxAt(20));
    expect(result.state.tags?.['17.5']).toEqual({
      tag: 'v17.5.3',
      patchVersion: '17.5.3',
      projectId: PROJECT.id,
      projectPath: PROJECT.path,
      source: 'tag',
      seenAt: at(20),
    });
    expect(result.timeline.map((t) => t.kind)).toEqual(['tag-seen']);
    expect(result.state.tasks['publish-code']?.status).toBe('open');
    result = apply(result.state, releaseHook('17.4.6-ee'), ctxAt(21));
    expect(result.state.tags?.['17.4']).toMatchObject({ patchVersion: '17.4.6', source: 'release' });
    expect(result.state.tasks['publish-code']?.status).toBe('open');
    expect(result.effects).toEqual([]);
    result = apply(result.state, tagPush('17.3.9'), ctxAt(22));
    expect(result.state.tasks['publish-code']).toMatchObject({ status: 'done', by: 'gitlab', via: 'signal' });
    expect(result.timeline.map((t) => t.kind)).toEqual(['tag-seen', 'task-done', 'gate-open']);
    // The task's pipeline gate holds now: the machine goes on without waiting for the pipeline.
    expect(result.effects).toEqual([{ type: 'open-gate', gate: 'pipeline:publish-code', token: 'tok-pc' }]);
  });

  it('also counts once the publish gate is open, before the publish block set the status', () => {
    const release = scheduledRelease();
    const open = {
      ...release,
      gates: { ...release.gates, publish: { status: 'open' as const, since: at(1), openedAt: at(2) } },
    };
    expect(apply(open, tagPush('v17.5.3'), ctxAt(20)).state.tags?.['17.5']?.patchVersion).toBe('17.5.3');
  });

  it('ignores tags of other versions, unconfigured projects, deletions, release deletions and candidates', () => {
    const release = publishing();
    for (const event of [
      tagPush('v16.11.2'),
      tagPush('v17.5.3', { projectId: 999, projectPath: 'someone/fork' }),
      tagPush('v17.5.3', { deleted: true }),
      releaseHook('v17.5.3', { action: 'delete' }),
      tagPush('v17.5.3-rc1'),
    ]) {
      expect(apply(release, event, ctxAt(20)).changed).toBe(false);
    }
  });

  it('keeps the first proof of a version: a later tag changes nothing', () => {
    const first = apply(publishing(), tagPush('v17.5.3'), ctxAt(20)).state;
    expect(apply(first, tagPush('v17.5.4'), ctxAt(21)).changed).toBe(false);
    expect(apply(first, tagPush('v17.5.3'), ctxAt(21)).changed).toBe(false);
  });

  it('a completed release ignores tags', () => {
    const completed = { ...publishing(), status: 'completed' as const };
    expect(apply(completed, tagPush('v17.5.3'), ctxAt(20)).changed).toBe(false);
  });

  it('what a tag proves is playbook data: without provenBy, publish-code waits for its own pipeline', () => {
    const playbook: Playbook = parsePlaybook({
      ...DEFAULT_PLAYBOOK,
      tasks: DEFAULT_PLAYBOOK.tasks.map(({ provenBy: _, ...task }) => task),
    });
    const ctx = { ...ctxAt(20), playbook };
    let state = publishing();
    for (const tag of ['v17.5.3', 'v17.4.6', 'v17.3.9']) state = apply(state, tagPush(tag), ctx).state;
    expect(Object.keys(state.tags ?? {}).sort()).toEqual(['17.3', '17.4', '17.5']);
    expect(state.tasks['publish-code']?.status).toBe('open');
  });

  it('a per-version task the playbook marks provenBy tag is done per version', () => {
    const playbook: Playbook = parsePlaybook({
      ...DEFAULT_PLAYBOOK,
      tasks: DEFAULT_PLAYBOOK.tasks.map((task) =>
        task.id === 'publish-packages' ? { ...task, provenBy: 'tag' } : task,
      ),
    });
    const state = apply(publishing(), tagPush('v17.4.6'), { ...ctxAt(20), playbook }).state;
    expect(state.tasks['publish-packages@17.4']?.status).toBe('done');
    expect(state.tasks['publish-packages@17.5']?.status).toBe('open');
  });
});

describe('routing and status', () => {
  it('a tag reaches the active releases of its project, and none once completed', () => {
    const keys = eventRoutingKeys(tagPush('v17.5.3'), CONFIG);
    expect(keys).toEqual([`project:${PROJECT.id}`]);
    const release = publishing();
    expect(releaseRoutingKeys(release, CONFIG)).toEqual(expect.arrayContaining(keys));
    expect(releaseRoutingKeys({ ...release, status: 'completed' }, CONFIG)).not.toEqual(
      expect.arrayContaining(keys),
    );
    expect(eventRoutingKeys(releaseHook('v17.5.3'), CONFIG)).toEqual([`project:${EE_PROJECT.id}`]);
  });

  it('/secrel status lists each version with its tag once publication is under way', () => {
    expect(statusReport(scheduledRelease(), DEFAULT_PLAYBOOK)).not.toContain('#### Tags');
    const state = apply(publishing(), releaseHook('v17.5.3-ee'), ctxAt(20)).state;
    const report = statusReport(state, DEFAULT_PLAYBOOK);
    expect(report).toContain('#### Tags');
    expect(report).toContain(`- 17.5: 17.5.3 (GitLab release \`v17.5.3-ee\` in ${EE_PROJECT.path})`);
    expect(report).toContain('- 17.4: no tag or GitLab release seen yet');
  });
});
