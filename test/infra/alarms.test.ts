import { describe, expect, it } from 'vitest';
import { logicalId, resourcesOfType, synthesizeOnce } from './synth.js';

interface AlarmProps {
  Namespace: string;
  MetricName: string;
  AlarmActions: unknown[];
  OKActions: unknown[];
  Threshold: number;
  TreatMissingData: string;
}

function alarms(context: Record<string, unknown> = {}): AlarmProps[] {
  return Object.values(resourcesOfType(synthesizeOnce(context).template, 'AWS::CloudWatch::Alarm')).map(
    (alarm) => alarm.Properties as unknown as AlarmProps,
  );
}

const watched = (list: AlarmProps[]) => list.map((alarm) => `${alarm.Namespace} ${alarm.MetricName}`).sort();

describe('alarms', () => {
  it('watch release executions that failed, timed out, were aborted or throttled', () => {
    expect(watched(alarms()).filter((name) => name.startsWith('AWS/States'))).toEqual([
      'AWS/States ExecutionThrottled',
      'AWS/States ExecutionsAborted',
      'AWS/States ExecutionsFailed',
      'AWS/States ExecutionsTimedOut',
    ]);
  });

  it('watch webhook 5xx answers and errors and throttles of every function', () => {
    const names = watched(alarms());
    expect(names).toContain('AWS/ApiGateway 5xx');
    expect(names.filter((name) => name === 'AWS/Lambda Errors')).toHaveLength(3);
    expect(names.filter((name) => name === 'AWS/Lambda Throttles')).toHaveLength(3);
  });

  it('fire on the first occurrence, stay quiet without data, and tell the alarm topic both ways', () => {
    const { template } = synthesizeOnce();
    const topic = logicalId(template, 'AWS::SNS::Topic', 'AlarmsTopic');
    for (const alarm of alarms()) {
      expect(alarm.Threshold).toBe(1);
      expect(alarm.TreatMissingData).toBe('notBreaching');
      expect(alarm.AlarmActions).toEqual([{ Ref: topic }]);
      expect(alarm.OKActions).toEqual([{ Ref: topic }]);
    }
  });

  it('go to a topic encrypted with a rotating key that CloudWatch may use', () => {
    const { template } = synthesizeOnce();
    const key = logicalId(template, 'AWS::KMS::Key', 'AlarmsTopicKey');
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [key, 'Arn'] } });
    const keyProps = resourcesOfType(template, 'AWS::KMS::Key')[key]?.Properties ?? {};
    expect(keyProps.EnableKeyRotation).toBe(true);
    expect(JSON.stringify(keyProps.KeyPolicy)).toContain('cloudwatch.amazonaws.com');
  });

  it('e-mail the address given as alarmEmail, and no one when none is given', () => {
    const subscriptions = (context: Record<string, unknown>) =>
      Object.values(resourcesOfType(synthesizeOnce(context).template, 'AWS::SNS::Subscription')).map(
        (s) => s.Properties,
      );
    expect(subscriptions({})).toEqual([]);
    expect(subscriptions({ alarmEmail: 'release-managers@example.com' })).toEqual([
      expect.objectContaining({ Protocol: 'email', Endpoint: 'release-managers@example.com' }),
    ]);
  });
});
