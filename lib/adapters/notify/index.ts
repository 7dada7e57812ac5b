import type { Notifier } from '../../ports.js';
import { NoopNotifier } from './noop.js';
import { SlackNotifier } from './slack.js';

export { NotifyError } from './errors.js';
export { NoopNotifier } from './noop.js';
export { SlackNotifier, type SlackNotifierOptions } from './slack.js';

/**
 * Whether a stored Slack webhook secret holds a usable URL. A secret the stack created starts as a
 * random string until an operator puts the real URL in; that is not a URL, so Slack stays off.
 */
export function isSlackWebhookUrl(value: string | undefined): value is string {
  if (value === undefined) return false;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

/** The notifier a deployment's config asks for: Slack when a webhook URL is set, otherwise none. */
export function createNotifier(slack: { readonly webhookUrl: string } | undefined): Notifier {
  return slack ? new SlackNotifier({ webhookUrl: slack.webhookUrl }) : new NoopNotifier();
}
