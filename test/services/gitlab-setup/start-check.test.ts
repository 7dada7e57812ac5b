import { setTimeout as sleep } from 'node:timers/promises';
import { DateTime } from 'luxon';
import { afterEach, describe, expect, it } from 'vitest';
import { SETUP_CHECK_NOTE } from '../../../lib/core/release/schedule-commands.js';
import type { FakeNote } from '../../../lib/local/fakes/gitlab/state.js';
import { SETUP_PROJECTS, SETUP_SECRET, type SetupWorld, startSetupWorld } from './setup-world.js';

/**
 * `/secrel start` runs the GitLab setup checks of `secrel connect --check` for the release's
 * project, over HTTP against the fake GitLab, through the local runtime on DynamoDB Local: its
 * reply says a check runs and the schedule goes on either way; any problem follows as one comment.
 */

const PRODUCT = SETUP_PROJECTS[0];
let world: SetupWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, ms = 20_000) {
  const until = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

/** Opens a labelled confidential issue, waits for the release issue, comments `/secrel start`. */
async function startRelease(w: SetupWorld) {
  w.gitlab.setWebhook(w.runtime.webhookUrl, SETUP_SECRET);
  const vulnerability = w.gitlab.openIssue({ project: PRODUCT.id, title: 'Secret: RCE', confidential: true });
  await w.gitlab.labelIssue(PRODUCT.id, vulnerability.iid, 'critical security release', 'sec-lead');
  const releaseId = `${PRODUCT.id}-${vulnerability.iid}`;
  const store = w.runtime.deps.store;
  const issue = await waitFor('the release issue', async () => (await store.get(releaseId))?.releaseIssue);
  const dayOne = DateTime.utc().plus({ days: 2 }).toISODate() ?? '';
  await w.gitlab.comment(PRODUCT.id, issue.iid, '/secrel versions 17.5', 'sec-lead');
  await waitFor('versions stored', async () =>
    (await store.get(releaseId))?.versions.length ? true : undefined,
  );
  const before = w.gitlab.notes.length;
  await w.gitlab.comment(PRODUCT.id, issue.iid, `/secrel start ${dayOne}`, 'sec-lead');
  const notesOnIssue = (): FakeNote[] =>
    w.gitlab.notes.slice(before).filter((n) => n.projectId === issue.projectId && n.issueIid === issue.iid);
  const reply = await waitFor('the start reply', () =>
    notesOnIssue().find((n) => n.body.includes(`Day one is ${dayOne}`)),
  );
  return { releaseId, issue, dayOne, reply, notesOnIssue };
}

describe('/secrel start runs the GitLab setup checks', () => {
  it('names a role username GitLab does not know in one follow-up comment; the schedule still starts', async () => {
    // GitLab knows everyone but dev-two.
    world = await startSetupWorld({}, { users: ['sec-lead', 'release-manager', 'dev-one'] });
    const w = world;
    const { releaseId, dayOne, reply, notesOnIssue } = await startRelease(w);
    expect(reply.body).toContain(SETUP_CHECK_NOTE);
    const check = await waitFor('the setup check comment', () =>
      notesOnIssue().find((n) => n.body.includes('GitLab setup check found')),
    );
    // The check answers after the start reply, once, with one line naming the config key and the fix.
    const notes = notesOnIssue();
    expect(notes.indexOf(check)).toBeGreaterThan(notes.indexOf(reply));
    const problemLines = check.body.split('\n').filter((l) => l.startsWith('- '));
    expect(problemLines).toContainEqual(
      expect.stringMatching(/^- error `roles\.dev team`: .*"dev-two".*fix the username/),
    );
    expect(problemLines.filter((l) => l.includes('dev-two'))).toHaveLength(1);
    expect(check.body).toContain('The schedule runs anyway');
    // Warn, do not refuse: Day one is set and the schedule confirmed despite the problem.
    const state = await w.runtime.deps.store.get(releaseId);
    expect(state?.dayOne).toBe(dayOne);
    expect(state?.status).toBe('scheduled');
    // Nothing secret in the comment.
    expect(check.body).not.toContain(w.gitlab.token);
    expect(check.body).not.toContain(SETUP_SECRET);
    await sleep(300);
    expect(notesOnIssue().filter((n) => n.body.includes('GitLab setup check found'))).toHaveLength(1);
  });

  it('also checks the projects the release calls: a pipeline target GitLab does not have is named', async () => {
    const stable = { 'acme/product': ['17-5-stable'] };
    world = await startSetupWorld(
      { branches: stable, protectedBranches: stable },
      {
        configOverrides: {
          pipelines: { 'build-packages': { project: 'acme/missing', ref: '{version}-stable' } },
        },
      },
    );
    const { notesOnIssue } = await startRelease(world);
    const check = await waitFor('the setup check comment', () =>
      notesOnIssue().find((n) => n.body.includes('GitLab setup check found')),
    );
    const problemLines = check.body.split('\n').filter((l) => l.startsWith('- '));
    expect(problemLines).toEqual([
      expect.stringMatching(
        /^- error `pipelines\.build-packages\.project`: GitLab has no project acme\/missing/,
      ),
    ]);
  });

  it('says nothing more when the setup has no problem for the release project', async () => {
    const stable = { 'acme/product': ['17-5-stable'] };
    world = await startSetupWorld({ branches: stable, protectedBranches: stable });
    const w = world;
    const { reply, notesOnIssue } = await startRelease(w);
    expect(reply.body).toContain(SETUP_CHECK_NOTE);
    // The check runs (it reads the project from GitLab) and finds nothing to say.
    await waitFor('the check reading the release project', () =>
      w.gitlab.calls.some(
        (r) => r.method === 'GET' && r.path.includes(`/projects/${PRODUCT.id}/repository/branches`),
      )
        ? true
        : undefined,
    );
    await sleep(300);
    const check = notesOnIssue().find((n) => n.body.includes('GitLab setup check found'));
    expect(check?.body).toBeUndefined();
  });
});
