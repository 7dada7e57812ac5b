import { describe, expect, it } from 'vitest';
import { apply } from '../../../lib/core/release/apply.js';
import { releaseIdFor, startRelease } from '../../../lib/core/release/start.js';
import type { GitLabEvent } from '../../../lib/core/types/events.js';
import type { ReleaseState } from '../../../lib/core/types/release.js';
import {
  applyAll,
  at,
  CONFIG,
  ctxAt,
  deploymentEvent,
  EE_PROJECT,
  GITLAB_URL,
  issueEvent,
  mrEvent,
  newRelease,
  PROJECT,
  pipelineEvent,
  scheduledRelease,
  startedPipeline,
  VULN_IID,
} from '../release-helpers.js';

describe('starting a release', () => {
  it('starts from a confidential issue in a configured project that receives the release label', () => {
    const started = startRelease(issueEvent(), ctxAt());
    expect(started?.state).toMatchObject({
      id: '42-77',
      revision: 1,
      status: 'planning',
      phase: 'first-steps',
      vulnerabilityIssue: { projectId: 42, iid: 77 },
      versions: [],
      slipHours: 0,
    });
    expect(started?.effects).toEqual([{ type: 'start-workflow', releaseId: '42-77' }]);
    expect(started?.state.tasks['vulnerability-issue']).toMatchObject({
      status: 'done',
      by: 'sam',
      via: 'signal',
    });
    expect(started?.state.tasks['request-cve']).toEqual({ status: 'open' });
  });

  it('starts from an issue that already carries the label when it is updated', () => {
    expect(startRelease(issueEvent({ addedLabels: [] }), ctxAt())?.state.id).toBe('42-77');
  });

  it('derives the release id from the vulnerability issue', () => {
    expect(releaseIdFor(42, 77)).toBe('42-77');
  });

  it('starts nothing from a public issue, an unlabelled issue, a closed issue or an unconfigured project', () => {
    expect(startRelease(issueEvent({ confidential: false }), ctxAt())).toBeUndefined();
    expect(startRelease(issueEvent({ labels: ['bug'], addedLabels: [] }), ctxAt())).toBeUndefined();
    expect(startRelease(issueEvent({ state: 'closed' }), ctxAt())).toBeUndefined();
    expect(startRelease(issueEvent({ projectId: 999 }), ctxAt())).toBeUndefined();
  });

  it('honours a configured label', () => {
    const config = { ...CONFIG, releaseLabel: 'secrel::critical' };
    const event = issueEvent({ labels: ['secrel::critical'], addedLabels: ['secrel::critical'] });
    expect(startRelease(event, ctxAt(0, config))).toBeDefined();
    expect(startRelease(issueEvent(), ctxAt(0, config))).toBeUndefined();
  });

  it('never writes the issue title into the timeline', () => {
    const started = startRelease(issueEvent(), ctxAt());
    const text = JSON.stringify(started?.timeline);
    expect(text).toContain('#77');
    expect(text).not.toMatch(/title/i);
  });

  it('a duplicate label event starts no second release', () => {
    const release = newRelease();
    const again = apply(release, issueEvent({ updatedAt: at(60) }), ctxAt(60));
    expect(again.changed).toBe(false);
    expect(again.effects).toEqual([]);
    expect(again.state).toBe(release);
  });
});

describe('merge requests joining a release', () => {
  const release = newRelease();
  const joined = (event: GitLabEvent) => Object.keys(apply(release, event, ctxAt(10)).state.mergeRequests);

  it('joins an MR whose description says #77 in the same project', () => {
    expect(joined(mrEvent({ iid: 1, description: 'Closes #77.' }))).toEqual(['42!1']);
  });

  it('joins an MR that references the issue as group/project#77 from another configured project', () => {
    const event = mrEvent({
      iid: 2,
      projectId: EE_PROJECT.id,
      targetBranch: 'master',
      description: 'See acme/product#77',
    });
    expect(joined(event)).toEqual(['43!2']);
  });

  it('joins an MR that links the issue URL, from its title too', () => {
    const url = `${GITLAB_URL}/${PROJECT.path}/-/issues/77`;
    expect(joined(mrEvent({ iid: 3, description: `Details: ${url}#note_5` }))).toEqual(['42!3']);
    expect(joined(mrEvent({ iid: 4, title: `Fix ${url}`, description: '' }))).toEqual(['42!4']);
  });

  it('does not join an MR that references another issue', () => {
    expect(joined(mrEvent({ description: 'Fixes #7' }))).toEqual([]);
    expect(joined(mrEvent({ description: 'Fixes #770' }))).toEqual([]);
    expect(joined(mrEvent({ description: 'Fixes other/project#77' }))).toEqual([]);
    expect(joined(mrEvent({ description: `${GITLAB_URL}/other/project/-/issues/77` }))).toEqual([]);
    expect(joined(mrEvent({ description: `${GITLAB_URL}/${PROJECT.path}/-/issues/770` }))).toEqual([]);
  });

  it('does not take #77 from another project as the vulnerability issue', () => {
    expect(
      joined(mrEvent({ projectId: EE_PROJECT.id, targetBranch: 'master', description: 'Fixes #77' })),
    ).toEqual([]);
  });

  it('ignores MRs in projects that are not configured', () => {
    expect(joined(mrEvent({ projectId: 999, description: 'acme/product#77' }))).toEqual([]);
  });

  it('maps the target branch to an affected version, or main for the default branch', () => {
    const state = applyAll(
      release,
      mrEvent({ iid: 10, targetBranch: 'main' }),
      mrEvent({ iid: 11, targetBranch: '17-5-stable' }),
      mrEvent({ iid: 12, targetBranch: '17-4-stable-ee' }),
    ).state;
    expect(Object.values(state.mergeRequests).map((mr) => mr.version)).toEqual(['main', '17.5', '17.4']);
  });

  it('ignores an MR whose target branch names no version', () => {
    expect(joined(mrEvent({ targetBranch: 'feature/faster' }))).toEqual([]);
  });

  it('joins an MR added with /secrel mr even without a reference', () => {
    const linked = apply(
      release,
      {
        kind: 'note',
        projectId: 42,
        projectPath: PROJECT.path,
        noteId: 1,
        noteableType: 'Issue',
        noteableIid: VULN_IID,
        confidential: true,
        body: '/secrel mr !55',
        url: '',
        createdAt: at(5),
        actor: 'sam',
      },
      ctxAt(5),
    ).state;
    const after = apply(linked, mrEvent({ iid: 55, description: 'no reference here' }), ctxAt(10)).state;
    expect(after.mergeRequests['42!55']).toMatchObject({ version: 'main', state: 'opened' });
    expect(after.linkedMergeRequests).toEqual([]);
  });

  it('never writes an MR title or description into the timeline', () => {
    const result = apply(
      release,
      mrEvent({ title: 'Secret SQL injection fix', description: 'Fixes #77 via quoting' }),
      ctxAt(10),
    );
    expect(JSON.stringify(result.timeline)).not.toMatch(/Secret|quoting/);
  });
});

describe('merge request updates', () => {
  it('an older MR update never rolls back a merge', () => {
    const release = newRelease();
    const merged = applyAll(
      release,
      mrEvent({ iid: 5, state: 'opened', updatedAt: at(1) }),
      mrEvent({ iid: 5, state: 'merged', updatedAt: at(20) }),
    );
    expect(merged.state.mergeRequests['42!5']?.state).toBe('merged');
    const late = apply(merged.state, mrEvent({ iid: 5, state: 'opened', updatedAt: at(10) }), ctxAt(30));
    expect(late.changed).toBe(false);
    expect(late.state.mergeRequests['42!5']?.state).toBe('merged');
  });

  it('marks merge-patches done when every MR to the main line is merged, and reopens it when a new one joins', () => {
    const release = newRelease();
    const merged = applyAll(release, mrEvent({ iid: 5, state: 'merged' })).state;
    expect(merged.tasks['merge-patches']).toMatchObject({ status: 'done', via: 'signal', by: 'dave' });
    const another = applyAll(merged, mrEvent({ iid: 6, state: 'opened' })).state;
    expect(another.tasks['merge-patches']).toEqual({ status: 'open' });
  });

  it('does not count an abandoned (closed) MR as unmerged', () => {
    const state = applyAll(
      newRelease(),
      mrEvent({ iid: 5, state: 'merged' }),
      mrEvent({ iid: 6, state: 'closed' }),
    ).state;
    expect(state.tasks['merge-patches']?.status).toBe('done');
  });
});

describe('pipelines', () => {
  const withMr = () =>
    applyAll(scheduledRelease(), mrEvent({ iid: 5, sourceBranch: 'security-fix', state: 'opened' })).state;

  it('keeps the latest pipeline per project and ref, never an older one over a newer one', () => {
    const state = applyAll(
      withMr(),
      pipelineEvent({ pipelineId: 2, ref: 'security-fix', status: 'failed', updatedAt: at(20) }),
      pipelineEvent({ pipelineId: 1, ref: 'security-fix', status: 'success', updatedAt: at(10) }),
    ).state;
    expect(state.pipelines['42:security-fix']).toMatchObject({ pipelineId: 2, status: 'failed' });
  });

  it('moves a pipeline from pending to running to success even when GitLab stamps them alike', () => {
    const base = withMr();
    const pending = pipelineEvent({
      pipelineId: 3,
      ref: 'security-fix',
      status: 'pending',
      updatedAt: at(5),
    });
    const running = { ...pending, status: 'running' };
    const state = applyAll(base, pending, running).state;
    expect(state.pipelines['42:security-fix']?.status).toBe('running');
    expect(apply(state, pending, ctxAt(40)).changed).toBe(false);
  });

  it('ignores pipelines on refs that are no security branch of the release', () => {
    const result = applyAll(withMr(), pipelineEvent({ ref: 'main' }));
    expect(result.changed).toBe(false);
  });

  it('marks fix-build-failures done when the latest pipeline of every security MR succeeded', () => {
    const green = applyAll(withMr(), pipelineEvent({ ref: 'security-fix', status: 'success' })).state;
    expect(green.tasks['fix-build-failures']).toMatchObject({ status: 'done', via: 'signal' });
    const red = applyAll(
      green,
      pipelineEvent({ pipelineId: 501, ref: 'security-fix', status: 'failed', updatedAt: at(50) }),
    ).state;
    expect(red.tasks['fix-build-failures']).toEqual({ status: 'open' });
  });

  it('counts merge-request pipelines (refs/merge-requests/<iid>/head) for the MR', () => {
    const green = applyAll(
      withMr(),
      pipelineEvent({ ref: 'refs/merge-requests/5/head', status: 'success' }),
    ).state;
    expect(green.tasks['fix-build-failures']?.status).toBe('done');
  });

  it('completes the automated task a secrel pipeline ran for when it succeeds', () => {
    const release = scheduledRelease();
    const variables = {
      SECREL_RELEASE_ID: release.id,
      SECREL_ACTION: 'build-packages',
      SECREL_VERSION: '17.5',
    };
    const started = startedPipeline(release, 'build-packages@17.5', 500, '17-5-stable');
    const result = applyAll(started, pipelineEvent({ ref: '17-5-stable', variables, status: 'success' }));
    expect(result.state.tasks['build-packages@17.5']).toMatchObject({
      status: 'done',
      by: 'secrel',
      via: 'automation',
    });
    expect(result.state.tasks['build-packages@17.4']).toEqual({ status: 'open' });
    expect(result.state.pipelines['42:17-5-stable']).toMatchObject({ action: 'build-packages' });
  });

  it('orders pipelines by id, so a late event of an older run never replaces a newer one whatever its clock says', () => {
    const state = applyAll(
      withMr(),
      pipelineEvent({ pipelineId: 8, ref: 'security-fix', status: 'running', updatedAt: at(10) }),
      pipelineEvent({ pipelineId: 7, ref: 'security-fix', status: 'success', updatedAt: at(30) }),
    ).state;
    expect(state.pipelines['42:security-fix']).toMatchObject({ pipelineId: 8, status: 'running' });
  });

  it('completes a task whose pipeline secrel started, even when GitLab reports it before the release clock', () => {
    const release = scheduledRelease();
    const started: ReleaseState = {
      ...release,
      tasks: {
        ...release.tasks,
        'build-packages@17.5': {
          status: 'open',
          lastPipeline: {
            projectId: 42,
            pipelineId: 900,
            ref: '17-5-stable',
            status: 'created',
            updatedAt: '1970-01-01T00:00:00.000Z',
          },
        },
      },
    };
    const variables = {
      SECREL_RELEASE_ID: release.id,
      SECREL_ACTION: 'build-packages',
      SECREL_VERSION: '17.5',
    };
    const result = applyAll(
      started,
      pipelineEvent({
        pipelineId: 900,
        ref: '17-5-stable',
        variables,
        status: 'success',
        updatedAt: at(-600),
      }),
    );
    expect(result.state.tasks['build-packages@17.5']).toMatchObject({ status: 'done', via: 'automation' });
  });

  it('completes a once-per-release task from its pipeline without a version', () => {
    const release = scheduledRelease();
    const variables = { SECREL_RELEASE_ID: release.id, SECREL_ACTION: 'build-test-packages' };
    const started = startedPipeline(release, 'build-test-packages', 500, 'main');
    const result = applyAll(started, pipelineEvent({ variables }));
    expect(result.state.tasks['build-test-packages']?.status).toBe('done');
  });

  it('ignores a pipeline another release started', () => {
    const release = scheduledRelease();
    const variables = { SECREL_RELEASE_ID: '42-1', SECREL_ACTION: 'build-test-packages' };
    expect(applyAll(release, pipelineEvent({ variables })).changed).toBe(false);
  });

  it('fails the pipeline gate when the pipeline fails, once', () => {
    const release = scheduledRelease();
    const withGate = {
      ...startedPipeline(release, 'build-packages@17.4', 500, '17-4-stable'),
      gates: { 'pipeline:build-packages@17.4': { status: 'waiting', token: 'tok-1', since: at(0) } },
    } as const;
    const variables = {
      SECREL_RELEASE_ID: release.id,
      SECREL_ACTION: 'build-packages',
      SECREL_VERSION: '17.4',
    };
    const failed = applyAll(withGate, pipelineEvent({ ref: '17-4-stable', variables, status: 'failed' }));
    expect(failed.effects).toEqual([
      {
        type: 'fail-gate',
        gate: 'pipeline:build-packages@17.4',
        token: 'tok-1',
        error: 'Pipeline.Failed',
        cause: 'pipeline for build-packages@17.4 failed',
      },
    ]);
    expect(failed.state.gates['pipeline:build-packages@17.4']?.status).toBe('failed');
    expect(failed.state.tasks['build-packages@17.4']?.status).toBe('open');
    const again = apply(
      failed.state,
      pipelineEvent({ ref: '17-4-stable', variables, status: 'failed' }),
      ctxAt(50),
    );
    expect(again.changed).toBe(false);
  });

  it('opens the pipeline gate when the pipeline succeeds', () => {
    const release = scheduledRelease();
    const withGate = {
      ...startedPipeline(release, 'build-test-packages', 500, 'main'),
      gates: { 'pipeline:build-test-packages': { status: 'waiting', token: 'tok-2', since: at(0) } },
    } as const;
    const variables = { SECREL_RELEASE_ID: release.id, SECREL_ACTION: 'build-test-packages' };
    const result = applyAll(withGate, pipelineEvent({ variables, status: 'success' }));
    expect(result.effects).toEqual([
      { type: 'open-gate', gate: 'pipeline:build-test-packages', token: 'tok-2' },
    ]);
  });
});

describe('deployments', () => {
  const mergedToMain = () =>
    applyAll(scheduledRelease(), mrEvent({ iid: 5, state: 'merged', updatedAt: at(10) })).state;

  it('marks deploy-staging done when staging deploys after the fix merged', () => {
    const state = applyAll(
      mergedToMain(),
      deploymentEvent({ environment: 'staging', updatedAt: at(30) }),
    ).state;
    expect(state.tasks['deploy-staging']).toMatchObject({ status: 'done', via: 'signal' });
    expect(state.tasks['deploy-gitlab-com']).toEqual({ status: 'open' });
  });

  it('counts environments starting with staging as staging', () => {
    const state = applyAll(mergedToMain(), deploymentEvent({ environment: 'staging-canary' })).state;
    expect(state.tasks['deploy-staging']?.status).toBe('done');
  });

  it('marks deploy-gitlab-com done for production, gprd or gitlab.com', () => {
    for (const environment of ['production', 'gprd', 'gitlab.com']) {
      const state = applyAll(mergedToMain(), deploymentEvent({ environment })).state;
      expect(state.tasks['deploy-gitlab-com']?.status, environment).toBe('done');
    }
  });

  it('does not count a deployment made before the fix merged, nor a failed one', () => {
    const early = applyAll(mergedToMain(), deploymentEvent({ updatedAt: at(5) })).state;
    expect(early.tasks['deploy-staging']?.status).toBe('open');
    const failed = applyAll(mergedToMain(), deploymentEvent({ status: 'failed' })).state;
    expect(failed.tasks['deploy-staging']?.status).toBe('open');
  });

  it('keeps the latest deployment per environment and ignores other environments', () => {
    const state = applyAll(
      mergedToMain(),
      deploymentEvent({ deploymentId: 2, status: 'failed', updatedAt: at(40) }),
      deploymentEvent({ deploymentId: 1, status: 'success', updatedAt: at(30) }),
      deploymentEvent({ deploymentId: 3, environment: 'review/fix-1' }),
    ).state;
    expect(state.deployments).toEqual({
      staging: { environment: 'staging', status: 'failed', deploymentId: 2, updatedAt: at(40) },
    });
  });
});

describe('the mitigation issue', () => {
  const withMitigation = () => ({
    ...scheduledRelease(),
    mitigationIssue: { projectId: 42, iid: 90, state: 'opened' as const },
  });

  it('marks remove-mitigation done when the mitigation issue closes', () => {
    const state = applyAll(
      withMitigation(),
      issueEvent({ iid: 90, state: 'closed', labels: [], addedLabels: [], actor: 'ian', updatedAt: at(40) }),
    ).state;
    expect(state.mitigationIssue?.state).toBe('closed');
    expect(state.tasks['remove-mitigation']).toMatchObject({ status: 'done', by: 'ian', via: 'signal' });
  });

  it('ignores a stale reopen of the mitigation issue', () => {
    const closed = applyAll(
      withMitigation(),
      issueEvent({ iid: 90, state: 'closed', updatedAt: at(40) }),
    ).state;
    const stale = apply(closed, issueEvent({ iid: 90, state: 'opened', updatedAt: at(20) }), ctxAt(50));
    expect(stale.changed).toBe(false);
  });

  it('ignores other issues', () => {
    expect(applyAll(withMitigation(), issueEvent({ iid: 91, state: 'closed' })).changed).toBe(false);
  });
});

describe('applying the same event twice', () => {
  const release = scheduledRelease();
  const events: [string, GitLabEvent][] = [
    ['merge request', mrEvent({ iid: 5, state: 'merged' })],
    [
      'pipeline',
      pipelineEvent({ variables: { SECREL_RELEASE_ID: release.id, SECREL_ACTION: 'build-test-packages' } }),
    ],
    ['deployment', deploymentEvent()],
  ];
  it.each(events)('a repeated %s event changes nothing and asks for nothing', (_, event) => {
    const first = apply(release, event, ctxAt(10));
    expect(first.changed).toBe(true);
    expect(first.state.revision).toBe(release.revision + 1);
    const second = apply(first.state, event, ctxAt(11));
    expect(second).toEqual({ state: first.state, changed: false, timeline: [], effects: [] });
  });

  it('bumps the revision by exactly one per change and stamps updatedAt', () => {
    const result = apply(release, mrEvent({ iid: 5 }), ctxAt(90));
    expect(result.state.revision).toBe(release.revision + 1);
    expect(result.state.updatedAt).toBe(at(90));
  });
});

describe('an aborted release', () => {
  it('ignores GitLab events after it was aborted', () => {
    const aborted = { ...scheduledRelease(), status: 'aborted' as const };
    expect(apply(aborted, mrEvent({ state: 'merged' }), ctxAt(10)).changed).toBe(false);
  });
});
