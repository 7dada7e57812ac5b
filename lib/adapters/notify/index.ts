import type { Notifier } from '../../ports.js';
import { NoopNotifier } from './noop.js';
import { SlackNotifier } from './slack.js';

export { NotifyError } from './errors.js';
export { NoopNotifier } from './noop.js';
export { SlackNotifier, type SlackNotifierOptions } from './slack.js';

/** The notifier a deployment's config asks for: Slack when a webhook URL is set, otherwise none. */
export function createNotifier(slack: { readonly webhookUrl: string } | undefined): Notifier {
  return slack ? new SlackNotifier({ webhookUrl: slack.webhookUrl }) : new NoopNotifier();
}
