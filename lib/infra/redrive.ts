import { ArnFormat, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Rule } from 'aws-cdk-lib/aws-events';
import { SfnStateMachine } from 'aws-cdk-lib/aws-events-targets';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  DefinitionBody,
  JsonPath,
  LogLevel,
  StateMachine,
  StateMachineType,
  Succeed,
} from 'aws-cdk-lib/aws-stepfunctions';
import { CallAwsService } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { nagArn } from './nag.js';

/**
 * How many times a failed release execution is re-driven before it is left failed for a person
 * (its alarm has fired at every failure).
 */
export const MAX_REDRIVES = 3;

/** The error a failed publication ends with: never re-driven (only a person decides to publish again). */
export const NOT_REDRIVEN_ERROR = 'Publish.Failed';

/** Props of {@link ReleaseRedrive}. */
export interface ReleaseRedriveProps {
  readonly stage: string;
  /** The release state machine's fixed name: the re-driver may touch its executions only. */
  readonly stateMachineName: string;
}

/**
 * Re-drives a release execution that failed after its retries (issue #10: an outage longer than
 * the Retry policy rides out): an EventBridge rule on this state machine's FAILED executions
 * starts a one-step machine that calls `states:RedriveExecution` on that execution, and nothing
 * else. Re-drives repeat no action: the handlers are idempotent (action records).
 * Bounded: the rule matches only while the event's `redriveCount` is below {@link MAX_REDRIVES},
 * so a permanently failing execution is re-driven at most that many times, and never one that
 * ended in {@link NOT_REDRIVEN_ERROR}.
 */
export class ReleaseRedrive extends Construct {
  readonly rule: Rule;
  readonly redriver: StateMachine;

  constructor(scope: Construct, id: string, props: ReleaseRedriveProps) {
    super(scope, id);
    const prod = props.stage === 'prod';
    const stack = Stack.of(this);
    const machineArn = stack.formatArn({
      service: 'states',
      resource: 'stateMachine',
      resourceName: props.stateMachineName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const executions = stack.formatArn({
      service: 'states',
      resource: 'execution',
      resourceName: `${props.stateMachineName}:*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const redrive = new CallAwsService(this, 'Redrive failed release execution', {
      service: 'sfn',
      action: 'redriveExecution',
      iamAction: 'states:RedriveExecution',
      iamResources: [executions],
      parameters: { ExecutionArn: JsonPath.stringAt('$.detail.executionArn') },
      resultPath: JsonPath.DISCARD,
    });
    // Throttling or a brief service error: try again a few times, then the failure is the alarm's.
    redrive.addRetry({
      errors: ['States.ALL'],
      interval: Duration.seconds(5),
      maxAttempts: 3,
      backoffRate: 2,
    });
    const logs = new LogGroup(this, 'Logs', {
      retention: prod ? RetentionDays.ONE_YEAR : RetentionDays.ONE_MONTH,
      removalPolicy: prod ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    this.redriver = new StateMachine(this, 'Redriver', {
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromChainable(redrive.next(new Succeed(this, 'Re-driven'))),
      // No execution data: the event carries the release's input, which stays out of the logs.
      logs: { destination: logs, level: LogLevel.ALL, includeExecutionData: false },
      tracingEnabled: true,
      timeout: Duration.minutes(5),
      removalPolicy: prod ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    this.rule = new Rule(this, 'FailedExecutions', {
      description: 'Re-drive a failed secrel release execution (bounded count, never a failed publication)',
      eventPattern: {
        source: ['aws.states'],
        detailType: ['Step Functions Execution Status Change'],
        detail: {
          status: ['FAILED'],
          stateMachineArn: [machineArn],
          redriveCount: [{ numeric: ['<', MAX_REDRIVES] }],
          error: [{ 'anything-but': [NOT_REDRIVEN_ERROR] }],
        },
      },
      targets: [new SfnStateMachine(this.redriver, { retryAttempts: 3, maxEventAge: Duration.hours(1) })],
    });

    const role = this.redriver.role;
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${nagArn(this, 'states', `execution:${props.stateMachineName}:*`)}]`,
      reason:
        'RedriveExecution names an execution; this grants it on the release state machine executions only.',
    });
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Step Functions log delivery (logs:CreateLogDelivery and friends) and X-Ray tracing accept only *.',
    });
  }
}
