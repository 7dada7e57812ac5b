import { describe, expect, it } from 'vitest';
import { parseGitLabEvent } from '../../../../lib/core/events/index.js';
import {
  type GitLabHook,
  issueHook,
  issueLabelledHook,
  issueNoteHook,
  railsTime,
} from '../../../../lib/local/fakes/gitlab/hook-payloads.js';
import {
  mergeRequestMergedHook,
  mergeRequestOpenedHook,
} from '../../../../lib/local/fakes/gitlab/merge-request-payloads.js';
import { deploymentHook, pipelineHook } from '../../../../lib/local/fakes/gitlab/pipeline-payloads.js';

const project = { id: 7, path: 'security/product', defaultBranch: 'main' };
const at = '2025-03-04T10:15:00.000Z';
const actor = { id: 12, username: 'sec-lead' };

function parse(hook: GitLabHook) {
  const outcome = parseGitLabEvent(hook.event, JSON.parse(JSON.stringify(hook.payload)));
  if (outcome.status !== 'parsed') throw new Error(`ignored: ${outcome.reason}`);
  return outcome.event;
}

describe('webhook builders produce payloads secrel reads as GitLab events', () => {
  it('a confidential issue receiving the release label reads as a labelled confidential issue', () => {
    const hook = issueLabelledHook({
      project,
      iid: 41,
      title: 'XSS',
      label: 'critical security release',
      previousLabels: ['security'],
      actor,
      at,
    });

    expect(hook.event).toBe('Confidential Issue Hook');
    expect(parse(hook)).toMatchObject({
      kind: 'issue',
      projectId: 7,
      iid: 41,
      confidential: true,
      labels: ['security', 'critical security release'],
      addedLabels: ['critical security release'],
      state: 'opened',
      updatedAt: at,
      actor: 'sec-lead',
    });
  });

  it('a public issue closing goes out as a plain Issue Hook', () => {
    const hook = issueHook({
      project,
      action: 'close',
      at,
      issue: { iid: 5, title: 'Mitigation', confidential: false, labels: [], state: 'closed' },
    });

    expect(hook.event).toBe('Issue Hook');
    expect(parse(hook)).toMatchObject({
      kind: 'issue',
      confidential: false,
      state: 'closed',
      action: 'close',
    });
  });

  it('merge request opened and merged carry branches and the description with its reference', () => {
    const mr = {
      project,
      iid: 3,
      title: 'Fix XSS',
      description: 'Fixes #41',
      sourceBranch: 'security-fix',
      targetBranch: '17-5-stable',
      at,
    };

    expect(parse(mergeRequestOpenedHook(mr))).toMatchObject({ kind: 'merge_request', state: 'opened' });
    expect(parse(mergeRequestMergedHook(mr))).toMatchObject({
      kind: 'merge_request',
      iid: 3,
      state: 'merged',
      action: 'merge',
      targetBranch: '17-5-stable',
      sourceBranch: 'security-fix',
      description: 'Fixes #41',
      updatedAt: at,
    });
  });

  it('a pipeline hook carries the variables secrel tagged its pipeline with', () => {
    const hook = pipelineHook({
      project,
      pipelineId: 99,
      ref: '17-5-stable',
      status: 'failed',
      variables: { SECREL_RELEASE_ID: '7-41', SECREL_ACTION: 'publish-docker' },
      at,
    });

    expect(parse(hook)).toMatchObject({
      kind: 'pipeline',
      pipelineId: 99,
      ref: '17-5-stable',
      status: 'failed',
      source: 'api',
      variables: { SECREL_RELEASE_ID: '7-41', SECREL_ACTION: 'publish-docker' },
    });
  });

  it('a deployment hook names its environment and status', () => {
    expect(
      parse(deploymentHook({ project, deploymentId: 8, environment: 'staging', status: 'success', at })),
    ).toMatchObject({ kind: 'deployment', environment: 'staging', status: 'success', deploymentId: 8 });
  });

  it('a /secrel comment on the confidential release issue reads as a confidential note', () => {
    const hook = issueNoteHook({
      project,
      noteId: 500,
      issueIid: 42,
      body: '/secrel waive announce-blog not needed',
      confidential: true,
      actor,
      at,
    });

    expect(hook.event).toBe('Confidential Note Hook');
    expect(parse(hook)).toMatchObject({
      kind: 'note',
      noteId: 500,
      noteableType: 'Issue',
      noteableIid: 42,
      confidential: true,
      body: '/secrel waive announce-blog not needed',
      createdAt: at,
      actor: 'sec-lead',
    });
  });

  it('writes pipeline and note times in the Rails form GitLab uses there', () => {
    expect(railsTime(at)).toBe('2025-03-04 10:15:00 UTC');
  });
});
