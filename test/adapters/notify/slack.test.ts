import { describe, expect, it } from 'vitest';
import { NotifyError } from '../../../lib/adapters/notify/errors.js';
import { createNotifier } from '../../../lib/adapters/notify/index.js';
import { NoopNotifier } from '../../../lib/adapters/notify/noop.js';
import { SlackNotifier } from '../../../lib/adapters/notify/slack.js';
import { type FakeSlack, startFakeSlack } from '../../../lib/local/fakes/fake-slack.js';
import { failure } from '../../support/failure.js';
import { withFake } from '../../support/with-fake.js';

let slack: FakeSlack;

withFake(startFakeSlack, (fake) => {
  slack = fake;
});

describe('SlackNotifier against the fake Slack', () => {
  it('posts the notification as text to the incoming webhook', async () => {
    await new SlackNotifier({ webhookUrl: slack.webhookUrl }).notify(
      'Day two cutoff in 2 hours: 3 tasks open',
    );

    expect(slack.messages).toEqual(['Day two cutoff in 2 hours: 3 tasks open']);
    expect(slack.calls[0]).toMatchObject({
      method: 'POST',
      path: '/services/T000/B000/fake',
      headers: { 'content-type': 'application/json' },
      body: { text: 'Day two cutoff in 2 hours: 3 tasks open' },
    });
  });

  it('marks Slack rate limiting transient', async () => {
    slack.failNext(1, 429);

    const error = await failure(NotifyError, () =>
      new SlackNotifier({ webhookUrl: slack.webhookUrl }).notify('hello'),
    );

    expect(error).toMatchObject({ status: 429, transient: true });
  });

  it('marks a removed webhook (404) permanent without repeating its secret URL', async () => {
    const url = slack.webhookUrl.replace('/services/', '/gone/');

    const error = await failure(NotifyError, () => new SlackNotifier({ webhookUrl: url }).notify('hello'));

    expect(error).toMatchObject({ status: 404, transient: false });
    expect(error.message).not.toContain('/gone/');
    expect(error.message).not.toContain('hello');
  });
});

describe('NoopNotifier', () => {
  it('accepts a notification without failing when no Slack is configured', async () => {
    await expect(new NoopNotifier().notify('anything')).resolves.toBeUndefined();
  });
});

describe('createNotifier', () => {
  it('sends to Slack when the config has a webhook URL', async () => {
    await createNotifier({ webhookUrl: slack.webhookUrl }).notify('Release published');

    expect(slack.messages).toEqual(['Release published']);
  });

  it('sends nowhere when the config has no Slack', () => {
    expect(createNotifier(undefined)).toBeInstanceOf(NoopNotifier);
  });
});
