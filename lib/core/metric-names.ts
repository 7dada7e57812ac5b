import { SERVICE_NAME } from './function-env.js';

/**
 * The metrics secrel's functions emit and its operations dashboard graphs: one list, so a graph
 * cannot ask for a name nobody writes. Dimensions: `service` always; `Deliveries` by `outcome`
 * (and `reason` when rejected), `ActionsPerformed` and `ActionsRefused` by `outcome`,
 * `ActionsFailed` by `error`, `TasksLate` by `gate`. `ReleasesActive` is a level (how many
 * releases are neither completed nor aborted), written when a phase starts; the others are counts.
 */

/** Every metric secrel emits. */
export const METRIC_NAMES = [
  'Deliveries',
  'GatesOpened',
  'ReleasesStarted',
  'ActionsPerformed',
  'ActionsFailed',
  'ActionsRefused',
  'NoticesSent',
  'TasksLate',
  'ReleasesActive',
] as const;
/** One of {@link METRIC_NAMES}. */
export type MetricName = (typeof METRIC_NAMES)[number];

/** The CloudWatch namespace of secrel's metrics. */
export const METRIC_NAMESPACE = SERVICE_NAME;
