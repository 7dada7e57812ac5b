import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Alarm, ComparisonOperator, type IMetric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { AccountRootPrincipal, PolicyDocument, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IStateMachine, StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

/**
 * What the account may do with the alarm key, spelled out: the usual key policy grants `kms:*`
 * to the account, and secrel allows no wildcard action anywhere.
 */
export const KEY_ADMIN_ACTIONS = [
  'kms:CancelKeyDeletion',
  'kms:CreateAlias',
  'kms:DeleteAlias',
  'kms:DescribeKey',
  'kms:DisableKey',
  'kms:DisableKeyRotation',
  'kms:EnableKey',
  'kms:EnableKeyRotation',
  'kms:GetKeyPolicy',
  'kms:GetKeyRotationStatus',
  'kms:ListAliases',
  'kms:ListGrants',
  'kms:ListKeyPolicies',
  'kms:ListKeyRotations',
  'kms:ListResourceTags',
  'kms:PutKeyPolicy',
  'kms:RetireGrant',
  'kms:RevokeGrant',
  'kms:RotateKeyOnDemand',
  'kms:ScheduleKeyDeletion',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:UpdateAlias',
  'kms:UpdateKeyDescription',
] as const;

/** Props of {@link ReleaseAlarms}. */
export interface ReleaseAlarmsProps {
  readonly stage: string;
  readonly stateMachine: StateMachine | IStateMachine;
  readonly api: HttpApi;
  /** Functions to watch for errors and throttles, by a short name used in alarm names. */
  readonly functions: Readonly<Record<string, IFunction>>;
  /** Where alarms are e-mailed, if anywhere. */
  readonly alarmEmail?: string;
}

/**
 * Alarms a release manager needs to hear about, to an encrypted SNS topic: a release execution
 * that failed, timed out or was aborted; webhooks answered with 5xx; function errors and throttles.
 * Alarm names and descriptions carry no release detail (DESIGN.md §4.5).
 */
export class ReleaseAlarms extends Construct {
  readonly topic: Topic;
  readonly alarms: Alarm[] = [];
  private readonly action: SnsAction;

  constructor(scope: Construct, id: string, props: ReleaseAlarmsProps) {
    super(scope, id);
    const prod = props.stage === 'prod';
    // A key of our own: CloudWatch cannot publish to a topic encrypted with the AWS-managed SNS key.
    const key = new Key(this, 'TopicKey', {
      description: 'secrel alarm topic encryption',
      enableKeyRotation: true,
      removalPolicy: prod ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(prod ? 30 : 7),
      policy: new PolicyDocument({
        statements: [
          new PolicyStatement({
            sid: 'AccountAdministersKey',
            principals: [new AccountRootPrincipal()],
            actions: [...KEY_ADMIN_ACTIONS],
            resources: ['*'],
          }),
          new PolicyStatement({
            sid: 'CloudWatchPublishesAlarms',
            principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
            actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
            resources: ['*'],
          }),
        ],
      }),
    });
    this.topic = new Topic(this, 'Topic', {
      displayName: `secrel ${props.stage} alarms`,
      masterKey: key,
      enforceSSL: true,
    });
    if (props.alarmEmail) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));
    this.action = new SnsAction(this.topic);

    const sm = props.stateMachine;
    this.watch('ReleaseFailed', sm.metricFailed(), 'A release execution failed: disclosure is stopped.');
    this.watch('ReleaseTimedOut', sm.metricTimedOut(), 'A release execution timed out.');
    this.watch('ReleaseAborted', sm.metricAborted(), 'A release execution was aborted.');
    this.watch('ReleaseThrottled', sm.metricThrottled(), 'Step Functions throttled a release execution.');
    this.watch(
      'Webhook5xx',
      props.api.metricServerError(),
      'GitLab webhooks got 5xx answers; GitLab disables a hook after 4 failures in a row.',
    );
    for (const [name, fn] of Object.entries(props.functions)) {
      this.watch(`${name}Errors`, fn.metricErrors(), `The ${name} function failed.`);
      this.watch(`${name}Throttles`, fn.metricThrottles(), `The ${name} function was throttled.`);
    }
  }

  /** One alarm: any occurrence within five minutes; no data means nothing went wrong. */
  private watch(id: string, metric: IMetric, description: string): void {
    const alarm = new Alarm(this, id, {
      metric,
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: description,
    });
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
    this.alarms.push(alarm);
  }
}
