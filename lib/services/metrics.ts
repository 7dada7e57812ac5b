import type { MetricName } from '../core/metric-names.js';
import type { MetricDimensions, Metrics, Notifier, Workflow } from '../ports.js';
import type { WebhookResponse } from './types.js';

/**
 * What secrel counts while it runs a release: ingress deliveries by outcome, gates opened,
 * automated actions, notices and late tasks. On AWS the counts become CloudWatch metrics
 * (embedded metric format); local mode counts nothing.
 */

/** Counts nothing, for local mode and tests. */
export const silentMetrics: Metrics = { count: () => {}, level: () => {} };

/** How many of these releases are still under way: neither completed nor aborted. */
export function activeReleases(releases: readonly { readonly status: string }[]): number {
  return releases.filter((release) => release.status !== 'completed' && release.status !== 'aborted').length;
}

/** Why a delivery was rejected, as a short code (the reply's reason text may carry details). */
export function rejectionCode(answer: WebhookResponse): string {
  const reason = answer.body.status === 'rejected' ? answer.body.reason : '';
  if (answer.status === 413) return 'too-large';
  if (answer.status === 415) return 'content-type';
  if (reason.includes('header missing')) return 'no-event-header';
  if (reason.includes('not valid JSON')) return 'not-json';
  return 'payload';
}

/** The dimensions one ingress answer is counted under: its outcome, and for a rejection its code. */
export function deliveryDimensions(answer: WebhookResponse): MetricDimensions {
  const outcome = answer.body.status;
  return outcome === 'rejected' ? { outcome, reason: rejectionCode(answer) } : { outcome };
}

/** A workflow that counts the gates it opens and the releases it starts. */
export function countingWorkflow(workflow: Workflow, metrics: Metrics): Workflow {
  return {
    start: async (...args) => {
      await workflow.start(...args);
      metrics.count('ReleasesStarted');
    },
    sendTaskSuccess: async (...args) => {
      await workflow.sendTaskSuccess(...args);
      metrics.count('GatesOpened');
    },
    sendTaskFailure: (...args) => workflow.sendTaskFailure(...args),
    stop: (...args) => workflow.stop(...args),
  };
}

/** A notifier that counts the notices it sent. */
export function countingNotifier(notifier: Notifier, metrics: Metrics): Notifier {
  return {
    notify: async (message) => {
      await notifier.notify(message);
      metrics.count('NoticesSent');
    },
  };
}

/**
 * How an automated action's outcome is counted: `skipped` (nothing to act on) and `interrupted`
 * (the release stopped under it) are refusals, everything else was performed.
 */
export function actionMetric(outcome: string): MetricName {
  return outcome === 'skipped' || outcome === 'interrupted' ? 'ActionsRefused' : 'ActionsPerformed';
}
