import { setTimeout as sleep } from 'node:timers/promises';
import { DateTime } from 'luxon';
import { afterEach, describe, expect, it } from 'vitest';
import { type FakeSlack, startFakeSlack } from '../../lib/local/fakes/fake-slack.js';
import { issueHook } from '../../lib/local/fakes/gitlab/hook-payloads.js';
import { mergeRequestHook } from '../../lib/local/fakes/gitlab/merge-request-payloads.js';
import { REHEARSAL_PEOPLE, REHEARSAL_PROJECT } from '../../lib/local/rehearsal/world.js';
import { reportVulnerability, useRehearsalWorld } from '../support/rehearsal-world.js';
import { waitFor } from '../support/wait-for.js';

/**
 * Embargo break through local mode: the vulnerability issue made public on Day two escalates once
 * (release issue and Slack), `/secrel expedite 6` re-times the rest, and nothing is published
 * while the publish gate does not hold (no security MR was ever merged).
 */

const LEAD = REHEARSAL_PEOPLE['security lead'];
let slack: FakeSlack | undefined;
afterEach(async () => {
  await slack?.close();
});
// Registered after Slack's: after-each hooks run last-registered first, so the world closes first.
const startWorld = useRehearsalWorld({ speed: 1, tablePrefix: 'embargo' });

/**
 * A release with Slack notices, started from a confidential vulnerability issue, whose Day one
 * was yesterday: today is Day two.
 */
async function releaseOnDayTwo(title: string, description: string) {
  const started = await startFakeSlack();
  slack = started;
  const { SlackNotifier } = await import('../../lib/adapters/notify/slack.js');
  const w = await startWorld({ notifier: new SlackNotifier({ webhookUrl: started.webhookUrl }) });
  const { vulnerability, releaseId } = await reportVulnerability(w, { title, description });
  const store = w.runtime.deps.store;
  const issue = await waitFor('the release issue', async () => (await store.get(releaseId))?.releaseIssue);
  const comment = (body: string) => w.gitlab.comment(REHEARSAL_PROJECT.id, issue.iid, body, LEAD);
  const yesterday = DateTime.utc().minus({ days: 1 }).toISODate() ?? '';
  await comment('/secrel versions 17.5');
  await comment(`/secrel start ${yesterday}`);
  await waitFor(
    'Day one stored',
    async () => (await store.get(releaseId))?.dayOne === yesterday || undefined,
  );
  return { w, slack: started, vulnerability, releaseId, store, issue, comment };
}

describe('embargo break', () => {
  it('the vulnerability issue made public on Day two: one escalation, expedite re-times, nothing published', async () => {
    const { w, slack, vulnerability, releaseId, store, issue, comment } = await releaseOnDayTwo(
      'Secret: RCE',
      'Secret details.',
    );

    const makePublic = () => {
      vulnerability.confidential = false;
      return w.gitlab.deliver(
        issueHook({
          project: REHEARSAL_PROJECT,
          issue: { ...vulnerability, labels: [...vulnerability.labels] },
          action: 'update',
          changes: { confidential: { previous: true, current: false } },
          actor: { username: REHEARSAL_PEOPLE['dev team'] },
          instanceUrl: w.gitlab.url,
        }),
      );
    };
    await makePublic();
    const runbook = await waitFor('the escalation', () =>
      w.gitlab.notes.find((n) => n.issueIid === issue.iid && n.body.startsWith('### Embargo broken')),
    );
    expect(runbook.body).toContain(`@${LEAD}`);
    expect(runbook.body).toContain(`@${REHEARSAL_PEOPLE['release managers']}`);
    await makePublic();
    await waitFor(
      'the break on Slack',
      () => slack?.messages.some((m) => m.includes('embargo broken')) || undefined,
    );

    const before = (await store.get(releaseId))?.slipHours ?? 0;
    await comment('/secrel expedite 6');
    await waitFor('the expedite reply', () =>
      w.gitlab.notes.find((n) => n.body.startsWith('secrel: every remaining cutoff moves')),
    );
    const after = await store.get(releaseId);
    expect(after?.slipHours).toBeLessThan(before);
    expect(after?.embargoBrokenAt).toBeDefined();

    await sleep(1_500);
    expect(w.gitlab.notes.filter((n) => n.body.startsWith('### Embargo broken'))).toHaveLength(1);
    expect(slack.messages.filter((m) => m.includes('embargo broken'))).toHaveLength(1);
    expect(w.gitlab.pipelines.filter((p) => p.variables.SECREL_ACTION?.startsWith('publish'))).toHaveLength(
      0,
    );
    expect(w.versionServer.versions).toHaveLength(0);
    // Slack never heard the confidential title.
    for (const message of slack.messages) expect(message).not.toContain('Secret');
  }, 90_000);

  it('a security MR seen in a public project on Day two: one escalation on the release issue and Slack, nothing published', async () => {
    const { w, slack, vulnerability, releaseId, store, issue } = await releaseOnDayTwo(
      'Secret: SSRF',
      'Secret.',
    );

    const deliverMr = (visibilityLevel: 0 | 20, iid: number) =>
      w.gitlab.deliver(
        mergeRequestHook({
          project: { ...REHEARSAL_PROJECT, visibilityLevel },
          mergeRequest: {
            iid,
            title: 'Validate the URL',
            description: `Fixes #${vulnerability.iid}`,
            sourceBranch: `security-fix-${iid}`,
            targetBranch: 'main',
            state: 'opened',
          },
          action: 'open',
          actor: { username: REHEARSAL_PEOPLE['dev team'] },
          instanceUrl: w.gitlab.url,
        }),
      );
    // Private: the MR joins, nothing is broken.
    await deliverMr(0, 900);
    await waitFor('the MR joined', async () => (await store.get(releaseId))?.mergeRequests['1!900']);
    expect((await store.get(releaseId))?.embargoBrokenAt).toBeUndefined();

    await deliverMr(20, 901);
    const runbook = await waitFor('the escalation', () =>
      w.gitlab.notes.find((n) => n.issueIid === issue.iid && n.body.startsWith('### Embargo broken')),
    );
    expect(runbook.body).toContain('security MR !901');
    expect(runbook.body).toContain(`@${LEAD}`);
    await deliverMr(20, 902);
    await waitFor(
      'the break on Slack',
      () => slack?.messages.some((m) => m.includes('embargo broken')) || undefined,
    );
    await sleep(1_500);
    expect(w.gitlab.notes.filter((n) => n.body.startsWith('### Embargo broken'))).toHaveLength(1);
    expect(slack.messages.filter((m) => m.includes('embargo broken'))).toHaveLength(1);
    expect(w.gitlab.pipelines.filter((p) => p.variables.SECREL_ACTION?.startsWith('publish'))).toHaveLength(
      0,
    );
    for (const message of slack.messages) expect(message).not.toContain('Secret');
  }, 90_000);
});
