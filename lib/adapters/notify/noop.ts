import type { Notifier } from '../../ports.js';

/** A notifier for deployments without Slack: GitLab mentions on the release issue are the channel. */
export class NoopNotifier implements Notifier {
  /** Does nothing. */
  async notify(_message: string): Promise<void> {}
}
