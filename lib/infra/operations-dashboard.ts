import { Duration, Stack } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  type Alarm,
  AlarmStatusWidget,
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  Metric,
  Stats,
  TextWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { SERVICE_NAME } from '../core/function-env.js';
import { METRIC_NAMESPACE, type MetricName } from '../core/metric-names.js';

/** Props of {@link OperationsDashboard}. */
export interface OperationsDashboardProps {
  /** Names the dashboard `secrel-<stage>-operations`. */
  readonly stage: string;
  /** The HTTP API in front of the webhook function: request rate, latency, 4xx and 5xx. */
  readonly api: HttpApi;
  /** The release state machine: executions by status. */
  readonly stateMachine: IStateMachine;
  /** The functions, by the short name used in graph labels: duration and errors. */
  readonly functions: Readonly<Record<string, IFunction>>;
  /** The alarms to show with their state, at the top. */
  readonly alarms: readonly Alarm[];
}

/** Graph period: a release is slow (days), a delivery burst is short (seconds); five minutes shows both. */
const PERIOD = Duration.minutes(5);

/**
 * The CloudWatch dashboard an operator opens during a release: the alarms first, then ingress
 * (deliveries by outcome, latency, 4xx/5xx), release executions by status, automated actions,
 * gates and notices, and late tasks. It graphs only secrel's own metrics (`lib/core/metric-names.ts`)
 * and AWS's, never a log line, so it shows no release detail.
 */
export class OperationsDashboard extends Construct {
  readonly dashboard: Dashboard;
  /** The console address of the dashboard, for the stack output. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: OperationsDashboardProps) {
    super(scope, id);
    const name = `secrel-${props.stage}-operations`;
    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: name,
      defaultInterval: Duration.days(1),
    });
    const region = Stack.of(this).region;
    this.url = `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#dashboards:name=${name}`;

    const api = props.api;
    const sm = props.stateMachine;
    const functions = Object.entries(props.functions);
    this.dashboard.addWidgets(
      new TextWidget({
        markdown: `# secrel ${props.stage}\nAlarms, then ingress, release executions, actions and late tasks. Counts per ${PERIOD.toMinutes()} minutes.`,
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(
      new AlarmStatusWidget({ title: 'Alarms', alarms: [...props.alarms], width: 24, height: 4 }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Webhook deliveries by outcome',
        left: [
          api.metricCount({ period: PERIOD, label: 'requests' }),
          search('Deliveries', ['outcome'], 'Deliveries'),
          search('Deliveries', ['outcome', 'reason'], 'rejected:'),
        ],
        width: 8,
      }),
      new GraphWidget({
        title: 'Webhook latency',
        left: [
          api.metricLatency({ period: PERIOD, statistic: Stats.p(50), label: 'API p50' }),
          api.metricLatency({ period: PERIOD, statistic: Stats.p(99), label: 'API p99' }),
          api.metricIntegrationLatency({ period: PERIOD, statistic: Stats.p(99), label: 'function p99' }),
        ],
        width: 8,
      }),
      new GraphWidget({
        title: 'Webhook 4xx and 5xx',
        left: [
          api.metricServerError({ period: PERIOD, label: '5xx' }),
          api.metricClientError({ period: PERIOD, label: '4xx' }),
        ],
        width: 8,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Release executions by status',
        left: [
          sm.metricStarted({ period: PERIOD, label: 'started' }),
          sm.metricSucceeded({ period: PERIOD, label: 'succeeded' }),
          sm.metricFailed({ period: PERIOD, label: 'failed' }),
          sm.metricTimedOut({ period: PERIOD, label: 'timed out' }),
          sm.metricAborted({ period: PERIOD, label: 'aborted' }),
          own('ReleasesStarted', 'releases started by ingress'),
        ],
        right: [own('ReleasesActive', 'releases active', Stats.MAXIMUM)],
        width: 8,
      }),
      new GraphWidget({
        title: 'Automated actions',
        left: [
          search('ActionsPerformed', ['outcome'], 'performed'),
          search('ActionsRefused', ['outcome'], 'refused'),
          search('ActionsFailed', ['error'], 'failed'),
        ],
        width: 8,
      }),
      new GraphWidget({
        title: 'Gates, notices and late tasks',
        left: [own('GatesOpened', 'gates opened'), own('NoticesSent', 'notices sent')],
        right: [search('TasksLate', ['gate'], 'late at')],
        width: 8,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Function duration p99',
        left: functions.map(([label, fn]) =>
          fn.metricDuration({ period: PERIOD, statistic: Stats.p(99), label }),
        ),
        width: 12,
      }),
      new GraphWidget({
        title: 'Function errors and throttles',
        left: functions.flatMap(([label, fn]) => [
          fn.metricErrors({ period: PERIOD, label: `${label} errors` }),
          fn.metricThrottles({ period: PERIOD, label: `${label} throttles` }),
        ]),
        width: 12,
      }),
    );
  }
}

/** One of secrel's metrics without dimensions of its own, summed per period unless told otherwise. */
function own(metricName: MetricName, label: string, statistic: string = Stats.SUM): IMetric {
  return new Metric({
    namespace: METRIC_NAMESPACE,
    metricName,
    dimensionsMap: { service: SERVICE_NAME },
    statistic,
    period: PERIOD,
    label,
  });
}

/**
 * Every series of one of secrel's metrics split by `dimensions`, summed per period; each series is
 * labelled `prefix` and the value of the last dimension (a CloudWatch dynamic label).
 */
function search(metricName: MetricName, dimensions: readonly string[], prefix: string): IMetric {
  const schema = [METRIC_NAMESPACE, 'service', ...dimensions].join(',');
  return new MathExpression({
    expression: `SEARCH('{${schema}} MetricName="${metricName}"', 'Sum', ${PERIOD.toSeconds()})`,
    label: `${prefix} $` + `{PROP('Dim.${dimensions.at(-1)}')}`,
    period: PERIOD,
  });
}
