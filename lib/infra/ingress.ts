import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { HttpApi, HttpMethod, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { FunctionEnv } from '../core/function-env.js';
import { SecrelFunction } from './lambda-function.js';
import { nagArn } from './nag.js';
import type { ReleaseTable } from './release-table.js';
import type { ReleaseSecrets } from './secrets.js';
import type { SecretKind } from './settings.js';

/** The path GitLab posts to; the same as in local mode (DESIGN.md §8). */
export const WEBHOOK_PATH = '/webhooks/gitlab';

/**
 * Secrets the webhook function reads: the webhook secret and signing key to verify deliveries.
 * Replies to `/secrel` commands are posted by the actions function, so no GitLab token here.
 */
export const WEBHOOK_SECRETS: readonly SecretKind[] = ['webhookSecret', 'signingKey'];

/** Props of {@link Ingress}. */
export interface IngressProps {
  readonly stage: string;
  readonly table: ReleaseTable;
  readonly secrets: ReleaseSecrets;
  /** Variables every handler reads: `TABLE_NAME`, `SECREL_CONFIG_JSON`. */
  readonly environment: Readonly<Record<string, string>>;
  /** The release state machine, by its fixed ARN: ingress starts executions and releases gates. */
  readonly stateMachine: IStateMachine;
  /** The state machine's fixed name, which its execution ARNs contain. */
  readonly stateMachineName: string;
  /** Steady requests per second let through; more get 429 before the function runs. */
  readonly rateLimit: number;
  /** Burst of requests let through. */
  readonly burstLimit: number;
  /**
   * The actions function: ingress invokes it asynchronously with the replies and notices of a
   * change, so it answers GitLab without waiting on GitLab's API.
   */
  readonly actions: IFunction;
  /** Optional cap on concurrent webhook functions. */
  readonly reservedConcurrency?: number;
}

/**
 * Where GitLab's webhooks arrive: an HTTP API in front of the webhook function. The HTTP API
 * (rather than a Function URL) throttles a flood at the edge, before any Lambda is billed, and
 * writes access logs; GitLab authenticates with its secret token, checked by the function.
 */
export class Ingress extends Construct {
  readonly webhook: NodejsFunction;
  readonly api: HttpApi;
  /** The URL to paste into GitLab's webhook settings. */
  readonly webhookUrl: string;

  constructor(scope: Construct, id: string, props: IngressProps) {
    super(scope, id);
    const prod = props.stage === 'prod';
    const webhook = new SecrelFunction(this, 'Webhook', {
      entry: 'webhook',
      description: 'secrel: verifies, records and routes GitLab webhooks',
      stage: props.stage,
      memorySize: 512,
      // GitLab gives up after 10 s; answering later would count as a failed delivery anyway.
      timeout: Duration.seconds(9),
      environment: {
        ...props.environment,
        STATE_MACHINE_ARN: props.stateMachine.stateMachineArn,
        ACTIONS_FUNCTION_NAME: props.actions.functionName,
      } satisfies Partial<FunctionEnv<'webhook'>>,
      reservedConcurrentExecutions: props.reservedConcurrency,
    });
    this.webhook = webhook.fn;
    props.table.grantReadWriteTo(this.webhook);
    props.secrets.grantReadTo(this.webhook, WEBHOOK_SECRETS);
    // Invoke on the function ARN alone: `grantInvoke` would add `ARN:*` (every version and alias),
    // a wildcard cdk-nag flags and ingress never needs, since it invokes the function by name.
    this.webhook.addToRolePolicy(
      new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [props.actions.functionArn] }),
    );
    props.stateMachine.grantStartExecution(this.webhook);
    props.stateMachine.grantTaskResponse(this.webhook);
    // `/secrel abort` stops the release's execution; execution names are release ids, unknown now.
    props.stateMachine.grantExecution(this.webhook, 'states:StopExecution');
    Validations.of(webhook.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${nagArn(this, 'states', `execution:${props.stateMachineName}:*`)}]`,
      reason:
        'StopExecution for /secrel abort: executions are named after release ids, which exist only at run time.',
    });

    this.api = new HttpApi(this, 'Api', {
      description: 'secrel: GitLab webhook endpoint',
      createDefaultStage: false,
    });
    this.api.addRoutes({
      path: WEBHOOK_PATH,
      methods: [HttpMethod.POST],
      integration: new HttpLambdaIntegration('Webhook', this.webhook),
    });
    const accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: prod ? RetentionDays.ONE_YEAR : RetentionDays.ONE_MONTH,
      removalPolicy: prod ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    new HttpStage(this, 'Stage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: props.rateLimit, burstLimit: props.burstLimit },
      // The default access log format: request id, source IP, method, path, status. No bodies.
      accessLogSettings: { destination: new LogGroupLogDestination(accessLogs) },
    });
    this.webhookUrl = `${this.api.apiEndpoint}${WEBHOOK_PATH}`;
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'GitLab cannot sign requests for IAM or send JWTs; it sends a secret token (and optionally a ' +
        'Standard Webhooks signature) which the webhook function verifies in constant time.',
    });
  }
}
