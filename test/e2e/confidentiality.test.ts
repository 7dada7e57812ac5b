import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { type FakeSlack, startFakeSlack } from '../../lib/local/fakes/fake-slack.js';
import { FAKE_GITLAB_TOKEN } from '../../lib/local/fakes/gitlab/fake-gitlab.js';
import { playRelease } from '../../lib/local/rehearsal/play.js';
import { type RehearsalWorld, startRehearsalWorld } from '../../lib/local/rehearsal/world.js';
import { createLogger } from '../../lib/services/logger.js';
import { E2E_SPEED } from '../support/rehearsal-world.js';

/**
 * Confidential stays confidential (DESIGN.md §4.5), over a whole rehearsal: every log line, every
 * Slack message and every GitLab write that is not to a confidential issue is captured, and none
 * carries the vulnerability issue's title or description, nor any secret.
 */

/** What the rehearsal's reporter wrote in the confidential vulnerability issue (see `playRelease`). */
const CONFIDENTIAL = ['Rehearsal: invented vulnerability', 'Invented for the rehearsal.'];

let world: RehearsalWorld | undefined;
let slack: FakeSlack | undefined;
afterEach(async () => {
  await world?.close();
  await slack?.close();
});

describe('a full rehearsal leaks nothing confidential', () => {
  it('no log line, Slack message or non-confidential GitLab write carries a confidential text or a secret', async () => {
    const lines: string[] = [];
    slack = await startFakeSlack();
    const { SlackNotifier } = await import('../../lib/adapters/notify/slack.js');
    world = await startRehearsalWorld({
      dynamoEndpoint: inject('dynamoEndpoint'),
      tableName: `confidential-${randomUUID()}`,
      speed: E2E_SPEED,
      notifier: new SlackNotifier({ webhookUrl: slack.webhookUrl }),
      logger: createLogger('secrel-test', (line) => lines.push(line)),
    });
    const w = world;
    const result = await playRelease(w, { timeoutMs: 240_000 });
    expect(result.outcome).toBe('afterwards');
    await w.gitlab.settled();

    // Writes to issues created confidential carry release detail by design; everything else is captured.
    const confidentialIssues = new Set(
      w.gitlab.issues
        .filter((i) => i.title !== 'Vulnerability acknowledgements')
        .map((i) => `${i.projectId}/${i.iid}`),
    );
    const writes = w.gitlab.calls
      .filter((c) => c.method === 'POST' || c.method === 'PUT')
      .filter((c) => {
        const issue = /projects\/([^/]+)\/issues\/(\d+)/.exec(c.path);
        if (issue) return !confidentialIssues.has(`${decodeURIComponent(issue[1] ?? '')}/${issue[2]}`);
        const created = c.body as { confidential?: boolean } | undefined;
        return !(/projects\/[^/]+\/issues$/.test(c.path) && created?.confidential === true);
      })
      .map((c) => `${c.method} ${c.path} ${JSON.stringify(c.body)}`);
    const hackerone = w.hackerone.comments.map((c) => c.message);

    const captured = { logs: lines, slack: slack.messages, gitlab: writes, hackerone };
    expect(lines.length).toBeGreaterThan(0);
    expect(slack.messages.length).toBeGreaterThan(0);
    expect(writes.length).toBeGreaterThan(0);
    const secrets = [FAKE_GITLAB_TOKEN, w.hackerone.token, w.versionServer.token, slack.webhookUrl];
    for (const [where, texts] of Object.entries(captured)) {
      for (const text of texts) {
        for (const needle of [...CONFIDENTIAL, ...secrets]) {
          expect(text.includes(needle), `${where} carries "${needle}": ${text.slice(0, 200)}`).toBe(false);
        }
      }
    }
    // Slack heard the phase starts, completion included (Afterwards).
    expect(slack.messages.some((m) => m.includes('Afterwards has started'))).toBe(true);
  }, 300_000);
});
