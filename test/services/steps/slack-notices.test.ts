import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SlackNotifier } from '../../../lib/adapters/notify/slack.js';
import { type FakeSlack, startFakeSlack } from '../../../lib/local/fakes/fake-slack.js';
import { runStep } from '../../../lib/services/steps/run-step.js';
import type { RuntimeDeps } from '../../../lib/services/types.js';
import { type ActionWorld, actionWorld } from '../../support/action-world.js';

/** Phase starts and reminders also go to Slack, once each, with ids, cutoffs and counts only. */

let world: ActionWorld;
let slack: FakeSlack;
let deps: RuntimeDeps;
beforeEach(async () => {
  world = await actionWorld();
  slack = await startFakeSlack();
  deps = { ...world.deps, notifier: new SlackNotifier({ webhookUrl: slack.webhookUrl }) };
});
afterEach(async () => {
  await world.close();
  await slack.close();
});

describe('Slack notices', () => {
  it('a phase start and a reminder each reach Slack once, without confidential text', async () => {
    await world.seed();
    await runStep(deps, { releaseId: '42-7', step: 'tell-owners', phase: 'day-one' });
    await runStep(deps, { releaseId: '42-7', step: 'tell-owners', phase: 'day-one' });
    world.at('2026-12-01T21:59:30Z');
    await runStep(deps, { releaseId: '42-7', step: 'remind', gate: 'phase:day-one' });
    await runStep(deps, { releaseId: '42-7', step: 'remind', gate: 'phase:day-one' });
    expect(slack.messages).toHaveLength(2);
    expect(slack.messages[0]).toMatch(
      /^Security release 42-7: Day one has started; \d+ task\(s\) open\. Cutoff 2026-12-01 23:59 UTC\./,
    );
    expect(slack.messages[1]).toMatch(
      /^Security release 42-7: .* is due 2026-12-01 23:59 UTC; \d+ task\(s\) still open\./,
    );
    // The vulnerability issue's title ("secret" in this world) never leaves GitLab.
    for (const message of slack.messages) expect(message).not.toContain('secret');
  });
});
