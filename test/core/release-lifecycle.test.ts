import { describe, expect, it } from 'vitest';
import { DEFAULT_PLAYBOOK } from '../../lib/core/default-playbook.js';
import { apply } from '../../lib/core/release/apply.js';
import { startRelease } from '../../lib/core/release/start.js';
import { expandTasks } from '../../lib/core/tasks.js';
import { completeAutomatedTask, enterPhase, recordGateToken } from '../../lib/core/transitions.js';
import type { GitLabEvent } from '../../lib/core/types/events.js';
import type { Applied, Effect, ReleaseState } from '../../lib/core/types/release.js';
import {
  ctxAt,
  deploymentEvent,
  issueEvent,
  mrEvent,
  noteEvent,
  PEOPLE,
  pipelineEvent,
  RELEASE_IID,
  startedPipeline,
} from './release-helpers.js';

/** Walks a release through the seed's four days, collecting every effect on the way. */
class Walk {
  state: ReleaseState;
  readonly effects: Effect[] = [];
  private minute = 0;

  constructor() {
    const started = startRelease(issueEvent(), ctxAt(0));
    if (!started) throw new Error('release did not start');
    this.state = started.state;
    this.effects.push(...started.effects);
  }

  take(result: Applied): Applied {
    this.state = result.state;
    this.effects.push(...result.effects);
    return result;
  }

  event(event: GitLabEvent): Applied {
    this.minute += 1;
    return this.take(apply(this.state, event, ctxAt(this.minute)));
  }

  say(body: string, actor: string = PEOPLE.lead): Applied {
    return this.event(noteEvent(body, { actor, noteableIid: RELEASE_IID }));
  }

  automated(key: string): Applied {
    this.minute += 1;
    return this.take(completeAutomatedTask(this.state, key, ctxAt(this.minute)));
  }

  gate(gate: string, token: string): Applied {
    this.minute += 1;
    return this.take(recordGateToken(this.state, gate, token, ctxAt(this.minute)));
  }

  opened(): string[] {
    return this.effects.flatMap((e) => (e.type === 'open-gate' ? [e.gate] : []));
  }
}

describe('a three-version release from label to disclosure', () => {
  it('opens each gate only when the process allows, and publication before disclosure', () => {
    const walk = new Walk();
    expect(walk.effects).toEqual([{ type: 'start-workflow', releaseId: '42-77' }]);
    walk.take(
      completeAutomatedTask(walk.state, 'release-issue', ctxAt(1), {
        releaseIssue: { projectId: 42, iid: RELEASE_IID },
      }),
    );
    walk.automated('patch-branch');
    walk.automated('draft-mr');
    walk.take(
      completeAutomatedTask(walk.state, 'mitigation', ctxAt(2), {
        mitigationIssue: { projectId: 42, iid: 90 },
      }),
    );

    walk.gate('schedule-confirmed', 'tok-schedule');
    expect(walk.opened()).toEqual([]);
    walk.say('/secrel versions 17.5,17.4,17.3');
    walk.say('/secrel start 2026-12-01');
    expect(walk.opened()).toEqual(['schedule-confirmed']);

    walk.gate('phase:first-steps', 'tok-first');
    expect(walk.opened()).toContain('phase:first-steps');

    walk.take(enterPhase(walk.state, 'day-one', ctxAt(100)));
    walk.gate('publish', 'tok-publish');
    const branches = { main: 'main', '17.5': '17-5-stable', '17.4': '17-4-stable', '17.3': '17-3-stable' };
    let iid = 1;
    for (const target of Object.values(branches)) {
      const source = `security-${iid}`;
      walk.event(mrEvent({ iid, targetBranch: target, sourceBranch: source, state: 'opened' }));
      walk.event(pipelineEvent({ pipelineId: 600 + iid, ref: source, status: 'success' }));
      iid += 1;
    }
    for (let i = 1; i < iid; i++) {
      const target = Object.values(branches)[i - 1] ?? 'main';
      walk.event(
        mrEvent({
          iid: i,
          targetBranch: target,
          sourceBranch: `security-${i}`,
          state: 'merged',
          updatedAt: ctxAt(200 + i).now.toISO() ?? '',
        }),
      );
    }
    expect(walk.state.tasks['merge-patches']?.status).toBe('done');
    expect(walk.state.tasks['fix-build-failures']?.status).toBe('done');
    expect(walk.state.tasks['cherry-pick@17.3']?.status).toBe('done');

    for (const task of [
      'pre-announcement',
      'contact-package-maintainers',
      'request-cve',
      'private-blog-post',
      'blog-announcement',
      'blog-post-cve',
      'write-cve-notice',
      'pre-announcement-email',
    ]) {
      walk.say(`/secrel done ${task}`);
    }
    walk.say('/secrel done validate-latest', PEOPLE.dev);
    walk.event(deploymentEvent({ environment: 'staging', updatedAt: ctxAt(300).now.toISO() ?? '' }));
    walk.event(
      deploymentEvent({ deploymentId: 901, environment: 'gprd', updatedAt: ctxAt(301).now.toISO() ?? '' }),
    );
    walk.event(
      issueEvent({
        iid: 90,
        state: 'closed',
        labels: [],
        addedLabels: [],
        updatedAt: ctxAt(302).now.toISO() ?? '',
      }),
    );
    walk.automated('build-test-packages');
    for (const v of ['17.5', '17.4', '17.3']) {
      const ref = `${v.replace('.', '-')}-stable`;
      walk.state = startedPipeline(walk.state, `build-packages@${v}`, 700 + Number(v.split('.')[1]), ref);
      walk.event(
        pipelineEvent({
          pipelineId: 700 + Number(v.split('.')[1]),
          ref: `${v.replace('.', '-')}-stable`,
          variables: { SECREL_RELEASE_ID: '42-77', SECREL_ACTION: 'build-packages', SECREL_VERSION: v },
        }),
      );
    }
    walk.say('/secrel done validate-all 17.5', PEOPLE.dev);
    walk.say('/secrel done validate-all 17.4', PEOPLE.dev);
    expect(walk.opened()).not.toContain('publish');

    walk.say('/secrel done validate-all 17.3', PEOPLE.dev);
    expect(walk.opened()).toContain('publish');
    expect(walk.opened().filter((g) => g === 'publish')).toHaveLength(1);

    walk.gate('disclose', 'tok-disclose');
    const publication = expandTasks(DEFAULT_PLAYBOOK, walk.state.versions).filter(
      (i) => i.task.stage === 'publish',
    );
    for (const { key } of publication) {
      expect(walk.opened()).not.toContain('disclose');
      walk.automated(key);
    }
    expect(walk.opened()).toContain('disclose');
    expect(
      walk.effects.filter((e) => e.type === 'open-gate').map((e) => (e.type === 'open-gate' ? e.token : '')),
    ).toEqual(['tok-schedule', 'tok-first', 'tok-publish', 'tok-disclose']);
  });
});
