import { describe, expect, it } from 'vitest';
import { METRIC_NAMES } from '../../lib/core/metric-names.js';
import { resourcesOfType, synthesizeOnce } from './synth.js';

interface Widget {
  readonly type: string;
  readonly properties: {
    readonly title?: string;
    readonly alarms?: string[];
    readonly metrics?: (string | { expression?: string })[][];
  };
}

/** A reference in the body, as a readable placeholder: `ref:Id` or `arn:Id`. */
function placeholder(token: unknown): string {
  const ref = (token as { Ref?: string }).Ref;
  if (ref) return `ref:${ref}`;
  const getAtt = (token as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
  if (getAtt) return `arn:${getAtt[0]}`;
  throw new Error(`unexpected token ${JSON.stringify(token)}`);
}

/** The operations dashboard as CloudFormation holds it, with references as placeholders. */
function dashboard(): { name: unknown; widgets: Widget[] } {
  const { template } = synthesizeOnce();
  const found = Object.values(resourcesOfType(template, 'AWS::CloudWatch::Dashboard'));
  expect(found).toHaveLength(1);
  const props = found[0]?.Properties ?? {};
  const parts = (props.DashboardBody as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
  const body = parts.map((part) => (typeof part === 'string' ? part : placeholder(part))).join('');
  return { name: props.DashboardName, widgets: (JSON.parse(body) as { widgets: Widget[] }).widgets };
}

/** Each graphed series as `namespace metric` or as its search expression, by widget title. */
function series(title: string): string[] {
  const widget = dashboard().widgets.find((w) => w.properties.title === title);
  if (!widget) throw new Error(`no widget "${title}"`);
  return (widget.properties.metrics ?? []).map((metric) => {
    const [first, second] = metric;
    return typeof first === 'string' ? `${first} ${String(second)}` : (first?.expression ?? '');
  });
}

describe('the operations dashboard', () => {
  it('is named after the stage', () => {
    expect(dashboard().name).toBe('secrel-dev-operations');
  });

  it('graphs ingress rate by outcome, latency, 4xx and 5xx', () => {
    expect(series('Webhook deliveries by outcome')).toEqual([
      'AWS/ApiGateway Count',
      `SEARCH('{secrel,service,outcome} MetricName="Deliveries"', 'Sum', 300)`,
      `SEARCH('{secrel,service,outcome,reason} MetricName="Deliveries"', 'Sum', 300)`,
    ]);
    expect(series('Webhook latency')).toEqual([
      'AWS/ApiGateway Latency',
      'AWS/ApiGateway Latency',
      'AWS/ApiGateway IntegrationLatency',
    ]);
    expect(series('Webhook 4xx and 5xx')).toEqual(['AWS/ApiGateway 5xx', 'AWS/ApiGateway 4xx']);
  });

  it('graphs release executions by status', () => {
    expect(series('Release executions by status')).toEqual([
      'AWS/States ExecutionsStarted',
      'AWS/States ExecutionsSucceeded',
      'AWS/States ExecutionsFailed',
      'AWS/States ExecutionsTimedOut',
      'AWS/States ExecutionsAborted',
      'secrel ReleasesStarted',
      'secrel ReleasesActive',
    ]);
  });

  it('graphs actions performed, refused and failed, gates, notices and late tasks', () => {
    expect(series('Automated actions')).toEqual([
      `SEARCH('{secrel,service,outcome} MetricName="ActionsPerformed"', 'Sum', 300)`,
      `SEARCH('{secrel,service,outcome} MetricName="ActionsRefused"', 'Sum', 300)`,
      `SEARCH('{secrel,service,error} MetricName="ActionsFailed"', 'Sum', 300)`,
    ]);
    expect(series('Gates, notices and late tasks')).toEqual([
      'secrel GatesOpened',
      'secrel NoticesSent',
      `SEARCH('{secrel,service,gate} MetricName="TasksLate"', 'Sum', 300)`,
    ]);
  });

  it("graphs every metric secrel's functions emit", () => {
    const graphed = dashboard()
      .widgets.flatMap((w) => w.properties.title ?? [])
      .flatMap((title) => (title === 'Alarms' ? [] : series(title)))
      .join('\n');
    for (const name of METRIC_NAMES) expect(graphed, name).toContain(name);
  });

  it('shows the state of every alarm', () => {
    const { template } = synthesizeOnce();
    const alarms = Object.keys(resourcesOfType(template, 'AWS::CloudWatch::Alarm')).map((id) => `arn:${id}`);
    const shown = dashboard().widgets.find((w) => w.type === 'alarm')?.properties.alarms;
    expect(alarms.length).toBeGreaterThan(0);
    expect([...(shown ?? [])].sort()).toEqual(alarms.sort());
  });

  it('is linked from the stack outputs', () => {
    const { template } = synthesizeOnce();
    const output = template.toJSON().Outputs?.OperationsDashboardUrl as { Value: unknown } | undefined;
    expect(JSON.stringify(output?.Value)).toContain('#dashboards:name=secrel-dev-operations');
  });
});
