import { join } from 'node:path';
import { type CfnElement, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { PROJECT_ROOT } from './lambda-function.js';

/** The ASL file AWS runs; the local engine runs the very same file (DESIGN.md §6, §9). */
export const STATE_MACHINE_FILE = join(PROJECT_ROOT, 'statemachines', 'security-release.asl.json');

/** The `${...}` substitutions the ASL file uses, and nothing else. */
export const DEFINITION_SUBSTITUTIONS = ['ActionsFunctionArn', 'GateFunctionArn'] as const;

/** Props of {@link ReleaseWorkflow}. */
export interface ReleaseWorkflowProps {
  readonly stage: string;
  /** Fixed name, so functions can be given the ARN before the machine exists. */
  readonly stateMachineName: string;
  readonly actions: IFunction;
  readonly gate: IFunction;
}

/** The release schedule: a Standard state machine running the ASL file, logged and traced. */
export class ReleaseWorkflow extends Construct {
  readonly stateMachine: StateMachine;

  constructor(scope: Construct, id: string, props: ReleaseWorkflowProps) {
    super(scope, id);
    const prod = props.stage === 'prod';
    const logs = new LogGroup(this, 'Logs', {
      retention: prod ? RetentionDays.ONE_YEAR : RetentionDays.ONE_MONTH,
      removalPolicy: prod ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    const substitutions: Record<(typeof DEFINITION_SUBSTITUTIONS)[number], string> = {
      ActionsFunctionArn: props.actions.functionArn,
      GateFunctionArn: props.gate.functionArn,
    };
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineName: props.stateMachineName,
      // Standard: a release lasts days and gates use callbacks; Express stops at 5 minutes.
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromFile(STATE_MACHINE_FILE),
      definitionSubstitutions: substitutions,
      // ALL events, but no execution data: inputs and outputs stay out of the logs (DESIGN.md §4.5).
      logs: { destination: logs, level: LogLevel.ALL, includeExecutionData: false },
      tracingEnabled: true,
      removalPolicy: prod ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    // The definition comes from a file, so CDK cannot see its tasks: grant the invokes it makes.
    props.actions.grantInvoke(this.stateMachine);
    props.gate.grantInvoke(this.stateMachine);

    const role = this.stateMachine.role;
    for (const fn of [props.actions, props.gate]) {
      const logicalId = Stack.of(this).getLogicalId(fn.node.defaultChild as CfnElement);
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>:*]`,
        reason:
          'CDK grants invoke on the function and its versions (ARN:*); the ASL invokes the function ARN.',
      });
    }
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Step Functions log delivery (logs:CreateLogDelivery and friends) and X-Ray tracing accept only *.',
    });
  }
}
