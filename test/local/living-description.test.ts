import { setTimeout as sleep } from 'node:timers/promises';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  extractLivingSection,
  livingSection,
  SECTION_START,
} from '../../lib/core/documents/living-section.js';
import type { ReleaseState } from '../../lib/core/types/release.js';
import {
  type HookMergeRequest,
  mergeRequestHook,
} from '../../lib/local/fakes/gitlab/merge-request-payloads.js';
import { editDescription } from '../../lib/local/fakes/gitlab/people.js';
import { pipelineHook } from '../../lib/local/fakes/gitlab/pipeline-payloads.js';
import type { FakeIssue } from '../../lib/local/fakes/gitlab/state.js';
import { REHEARSAL_PEOPLE, REHEARSAL_PROJECT, type RehearsalWorld } from '../../lib/local/rehearsal/world.js';
import { reportVulnerability, useRehearsalWorld } from '../support/rehearsal-world.js';
import { waitFor } from '../support/wait-for.js';

/**
 * The release issue's living section, through local mode: webhooks over HTTP into ingress,
 * DynamoDB Local, the real ASL on the local engine, and the fake GitLab keeping the description
 * and moving `updated_at` as GitLab does. The release clock runs at real speed, so Day one (next
 * week) never arrives during a test and only the changes the test makes move the release.
 */

const LEAD = REHEARSAL_PEOPLE['security lead'];
const MANAGER = REHEARSAL_PEOPLE['release managers'];
const DAY_ONE = DateTime.utc().plus({ days: 7 }).toISODate() ?? '';

const startWorld = useRehearsalWorld({ speed: 1, tablePrefix: 'living' });

/** Starts a release from a labelled confidential issue and waits for its release issue with the section. */
async function startRelease(w: RehearsalWorld): Promise<{ releaseId: string; issue: FakeIssue }> {
  const { releaseId } = await reportVulnerability(w, {
    title: 'Secret: RCE in the importer',
    description: 'Confidential details of the vulnerability.',
  });
  const issue = await waitFor('the release issue', () =>
    w.gitlab.issues.find((i) => i.title === `Critical security release ${releaseId}`),
  );
  await waitFor('the living section', () => issue.description.includes(SECTION_START));
  // Commands reach the release once it knows its issue (the routing key is stored with it).
  await waitFor('the release to know its issue', async () => (await release(w, releaseId))?.releaseIssue);
  return { releaseId, issue };
}

function release(w: RehearsalWorld, id: string): Promise<ReleaseState | undefined> {
  return w.runtime.deps.store.get(id);
}

/** Waits until secrel's section is the one the stored release renders. */
async function sectionCurrent(w: RehearsalWorld, id: string, issue: FakeIssue): Promise<string> {
  return waitFor('the section to show the stored release', async () => {
    const state = await release(w, id);
    const section = extractLivingSection(issue.description);
    const expected =
      state && livingSection({ state, playbook: w.runtime.deps.playbook, roles: w.config.roles });
    return section !== undefined && section === expected ? section : undefined;
  });
}

function descriptionEdits(w: RehearsalWorld, issue: FakeIssue): number {
  return w.gitlab.calls.filter(
    (c) =>
      c.method === 'PUT' &&
      c.path.endsWith(`/issues/${issue.iid}`) &&
      typeof c.body === 'object' &&
      c.body !== null &&
      'description' in c.body,
  ).length;
}

describe('the living description of the release issue', () => {
  it('follows versions, start, a task done by command, one done by an observed event, and a slip', async () => {
    const w = await startWorld();
    const { releaseId, issue } = await startRelease(w);
    const comment = (body: string, actor = LEAD) =>
      w.gitlab.comment(REHEARSAL_PROJECT.id, issue.iid, body, actor);

    await comment('/secrel versions 17.5,17.4');
    let section = await waitFor('versions in the section', () =>
      issue.description.includes('Affected versions: 17.5 and 17.4') ? issue.description : undefined,
    );
    expect(section).toContain('`build-packages@17.4`');

    await comment(`/secrel start ${DAY_ONE}`);
    section = await waitFor('Day one in the section', () =>
      issue.description.includes(`Day one: ${DAY_ONE} 00:00 UTC`) ? issue.description : undefined,
    );
    expect(section).not.toContain('set when Day one is set');

    await comment('/secrel done pre-announcement');
    await waitFor(
      'the ticked box',
      () => /- \[x\] `pre-announcement` .* done by @sec-lead at /.test(issue.description) || undefined,
    );

    // An observed event: the main-line fix merged marks "Merge all patches" done.
    const { mergeRequest } = await w.gitlab.openMergeRequest({
      sourceBranch: 'security-fix-main',
      targetBranch: 'main',
      title: 'Security fix',
      description: `Fixes #${releaseId.split('-')[1]}`,
      author: REHEARSAL_PEOPLE['dev team'],
    });
    await w.gitlab.mergeMergeRequest(REHEARSAL_PROJECT.id, mergeRequest.iid, MANAGER);
    await waitFor(
      'the observed task ticked',
      () => /- \[x\] `merge-patches` .* done by @release-manager at /.test(issue.description) || undefined,
    );
    expect(issue.description).toContain(`| main | !${mergeRequest.iid} | merged |`);

    const before = (await release(w, releaseId))?.dayOne;
    await comment('/secrel slip 3', MANAGER);
    section = await waitFor('the slip in the section', () =>
      issue.description.includes('every cutoff slipped by 3 h') ? issue.description : undefined,
    );
    const firstCutoff = DateTime.fromISO(`${before}T00:00:00Z`, { zone: 'utc' }).plus({ hours: 3 });
    expect(section).toContain(`Cutoff: ${firstCutoff.toFormat('yyyy-MM-dd HH:mm')} UTC`);
    await sectionCurrent(w, releaseId, issue);
  }, 60_000);

  it('keeps what a person wrote outside the section, including an edit made between secrel read and write', async () => {
    const w = await startWorld();
    const { releaseId, issue } = await startRelease(w);
    await editDescription(w.gitlab, issue, (d) => `Notes from the lead: call Alice at 10.\n\n${d}`, LEAD);
    // Quiet first, so the next read is the first read of a rewrite (GitLab has no conditional edit:
    // an edit landing between secrel's last check and its write cannot be detected).
    await sectionCurrent(w, releaseId, issue);
    await sleep(400);
    // The next time secrel reads the issue, a person edits it right after (before secrel writes).
    let raced = false;
    w.gitlab.afterIssueRead = (read) => {
      if (raced || read.iid !== issue.iid) return;
      raced = true;
      void editDescription(
        w.gitlab,
        issue,
        (d) => `${d}\n\nAdded by a manager while secrel worked.`,
        MANAGER,
      );
    };
    await w.gitlab.comment(REHEARSAL_PROJECT.id, issue.iid, '/secrel versions 17.5', LEAD);
    await waitFor(
      'versions in the section',
      () => issue.description.includes('Affected versions: 17.5') || undefined,
    );
    expect(raced).toBe(true);
    expect(issue.description.startsWith('Notes from the lead: call Alice at 10.\n\n')).toBe(true);
    expect(issue.description.endsWith('\n\nAdded by a manager while secrel worked.')).toBe(true);
    await sectionCurrent(w, releaseId, issue);
  }, 60_000);

  it('turns a burst of 20 changes into a bounded number of edits, ending current', async () => {
    const w = await startWorld();
    const { releaseId, issue } = await startRelease(w);
    const comment = (body: string, actor = LEAD) =>
      w.gitlab.comment(REHEARSAL_PROJECT.id, issue.iid, body, actor);
    await comment('/secrel versions 17.5');
    await comment(`/secrel start ${DAY_ONE}`);
    await waitFor(
      'Day one in the section',
      () => issue.description.includes(`Day one: ${DAY_ONE}`) || undefined,
    );
    const editsBefore = descriptionEdits(w, issue);
    await Promise.all(Array.from({ length: 20 }, () => comment('/secrel slip 1', MANAGER)));
    await waitFor(
      'all 20 slips in the section',
      () => issue.description.includes('every cutoff slipped by 20 h') || undefined,
    );
    await sectionCurrent(w, releaseId, issue);
    // Let anything still queued run, then count.
    await sleep(500);
    const edits = descriptionEdits(w, issue) - editsBefore;
    expect(edits).toBeGreaterThanOrEqual(1);
    expect(edits).toBeLessThanOrEqual(10);
  }, 60_000);

  it('/secrel start for a Day one whose publication lands on a Friday replies with the warning, and the section shows it', async () => {
    const w = await startWorld();
    const { issue } = await startRelease(w);
    // The next Tuesday at least two days ahead: Day four, publication day, is then a Friday.
    let tuesday = DateTime.utc().startOf('day').plus({ days: 2 });
    while (tuesday.weekday !== 2) tuesday = tuesday.plus({ days: 1 });
    const dayOne = tuesday.toISODate() ?? '';
    await w.gitlab.comment(REHEARSAL_PROJECT.id, issue.iid, `/secrel start ${dayOne}`, LEAD);
    const reply = await waitFor('the start reply', () =>
      w.gitlab.notes.find(
        (n) => n.issueIid === issue.iid && n.body.startsWith(`secrel: Day one is ${dayOne}`),
      ),
    );
    expect(reply.body).toMatch(/Warning: publication \S+T23:59Z falls on a Friday \(UTC\)/);
    await waitFor(
      'the warning in the section',
      () => /### Warnings[\s\S]*falls on a Friday/.test(issue.description) || undefined,
    );
  }, 60_000);

  it('shows why a security MR is not ready from its Merge Request Hook fields and head pipeline, until it is', async () => {
    const w = await startWorld();
    const { releaseId, issue } = await startRelease(w);
    const vulnerabilityIid = Number(releaseId.split('-')[1]);
    const mr = (over: Partial<HookMergeRequest>, at: string) =>
      w.gitlab.deliver(
        mergeRequestHook({
          project: REHEARSAL_PROJECT,
          mergeRequest: {
            iid: 900,
            title: 'Security fix',
            description: `Fixes #${vulnerabilityIid}`,
            sourceBranch: 'security-fix-main',
            targetBranch: 'main',
            state: 'opened',
            ...over,
          },
          action: 'update',
          actor: { username: REHEARSAL_PEOPLE['dev team'] },
          instanceUrl: w.gitlab.url,
          at,
        }),
      );
    const pipeline = (id: number, status: 'failed' | 'success') =>
      w.gitlab.deliver(
        pipelineHook({
          project: REHEARSAL_PROJECT,
          pipelineId: id,
          ref: 'security-fix-main',
          status,
          instanceUrl: w.gitlab.url,
        }),
      );
    const t0 = DateTime.utc();
    await mr(
      { draft: true, detailedMergeStatus: 'not_approved', blockingDiscussionsResolved: false },
      t0.toISO() ?? '',
    );
    await pipeline(7001, 'failed');
    await waitFor(
      'the reasons in the section',
      () =>
        issue.description.includes(
          '| main | !900 | not ready: draft; unresolved threads; not approved; pipeline failed |',
        ) || undefined,
    );
    const stored = (await release(w, releaseId))?.mergeRequests[`${REHEARSAL_PROJECT.id}!900`];
    expect(stored?.notReady).toEqual(['draft', 'unresolved threads', 'not approved']);

    await mr({ detailedMergeStatus: 'mergeable' }, t0.plus({ minutes: 5 }).toISO() ?? '');
    await pipeline(7002, 'success');
    await waitFor(
      'the MR ready in the section',
      () => issue.description.includes('| main | !900 | ready to merge |') || undefined,
    );
  }, 60_000);

  it('a person ticking a box marks the task done by that person; an unauthorized tick is put back with one reply', async () => {
    const w = await startWorld();
    const { releaseId, issue } = await startRelease(w);
    const tick = (key: string) => (d: string) =>
      d.replace(new RegExp(`^- \\[ \\] \`${key}\``, 'm'), `- [x] \`${key}\``);
    await w.gitlab.comment(REHEARSAL_PROJECT.id, issue.iid, '/secrel versions 17.5', LEAD);
    await waitFor(
      'versions in the section',
      () => issue.description.includes('Affected versions: 17.5') || undefined,
    );

    await editDescription(w.gitlab, issue, tick('pre-announcement'), LEAD);
    await waitFor(
      'the tick recorded and the line rewritten',
      () => /- \[x\] `pre-announcement` .* done by @sec-lead at /.test(issue.description) || undefined,
    );
    const task = (await release(w, releaseId))?.tasks['pre-announcement'];
    expect(task).toMatchObject({ status: 'done', by: LEAD });

    const packager = REHEARSAL_PEOPLE['packaging team'];
    await editDescription(w.gitlab, issue, tick('contact-package-maintainers'), packager);
    const reply = await waitFor('the refusal', () =>
      w.gitlab.notes.find(
        (n) => n.issueIid === issue.iid && n.body.includes('contact-package-maintainers was put back'),
      ),
    );
    expect(reply.body).toContain(`@${packager}`);
    await waitFor(
      'the box put back',
      () => /- \[ \] `contact-package-maintainers` /.test(issue.description) || undefined,
    );
    expect((await release(w, releaseId))?.tasks['contact-package-maintainers']?.status).toBe('open');
    await sectionCurrent(w, releaseId, issue);
    await sleep(300);
    expect(w.gitlab.notes.filter((n) => n.body.includes('was put back'))).toHaveLength(1);
    // The person's tick was answered by the rewritten line, not by a reply.
    expect(w.gitlab.notes.filter((n) => n.body.includes('pre-announcement'))).toHaveLength(0);
  }, 60_000);
});
