import { Duration } from 'aws-cdk-lib';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { FunctionEnv } from '../core/function-env.js';
import { SecrelFunction } from './lambda-function.js';
import type { ReleaseTable } from './release-table.js';
import type { ReleaseSecrets } from './secrets.js';
import type { SecretKind } from './settings.js';

/**
 * Secrets the actions function reads: it is the one that calls GitLab (including ingress's replies),
 * HackerOne, the version server and Slack (every notice). The gate function reads none.
 */
export const ACTIONS_SECRETS: readonly SecretKind[] = [
  'gitlabToken',
  'hackeroneToken',
  'versionServerToken',
  'slackWebhookUrl',
];

/** Props of {@link ActionFunctions}. */
export interface ActionFunctionsProps {
  readonly stage: string;
  readonly table: ReleaseTable;
  readonly secrets: ReleaseSecrets;
  /** Variables both handlers read: `TABLE_NAME`, `SECREL_CONFIG_JSON`. */
  readonly environment: Readonly<Record<string, string>>;
  /**
   * The release state machine, by its fixed ARN: both functions answer its task tokens (a step
   * that completes a task can make a waiting gate hold; the gate function opens held gates).
   */
  readonly stateMachine: IStateMachine;
  /** HackerOne's API identifier (the user name of its Basic auth; not secret), when HackerOne is used. */
  readonly hackeroneApiIdentifier?: string;
}

/**
 * The two functions the state machine calls: `actions` performs automated tasks and notifications,
 * `gate` stores a `.waitForTaskToken` token and releases it at once when the gate already holds.
 */
export class ActionFunctions extends Construct {
  readonly actions: NodejsFunction;
  readonly gate: NodejsFunction;

  constructor(scope: Construct, id: string, props: ActionFunctionsProps) {
    super(scope, id);
    const actions = new SecrelFunction(this, 'Actions', {
      entry: 'actions',
      description: 'secrel: automated release actions and owner notifications',
      stage: props.stage,
      memorySize: 512,
      // GitLab API calls and pipeline triggers; the state machine retries on timeout.
      timeout: Duration.minutes(2),
      environment: {
        ...props.environment,
        STATE_MACHINE_ARN: props.stateMachine.stateMachineArn,
        ...(props.hackeroneApiIdentifier ? { HACKERONE_API_IDENTIFIER: props.hackeroneApiIdentifier } : {}),
      } satisfies Partial<FunctionEnv<'actions'>>,
    });
    this.actions = actions.fn;
    props.table.grantReadWriteTo(this.actions);
    props.secrets.grantReadTo(this.actions, ACTIONS_SECRETS);
    props.stateMachine.grantTaskResponse(this.actions);

    const gate = new SecrelFunction(this, 'Gate', {
      entry: 'gate',
      description: 'secrel: stores gate task tokens and releases gates that already hold',
      stage: props.stage,
      memorySize: 256,
      timeout: Duration.seconds(30),
      environment: {
        ...props.environment,
        STATE_MACHINE_ARN: props.stateMachine.stateMachineArn,
      } satisfies Partial<FunctionEnv<'gate'>>,
    });
    this.gate = gate.fn;
    props.table.grantReadWriteTo(this.gate);
    props.stateMachine.grantTaskResponse(this.gate);
  }
}
