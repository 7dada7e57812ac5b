import { ArnFormat, CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import type { FunctionEnv } from '../core/function-env.js';
import { ActionFunctions } from './actions-function.js';
import { ReleaseAlarms } from './alarms.js';
import { Ingress } from './ingress.js';
import { stateMachineName } from './naming.js';
import { OperationsDashboard } from './operations-dashboard.js';
import { ReleaseRedrive } from './redrive.js';
import { ReleaseWorkflow } from './release-state-machine.js';
import { ReleaseTable } from './release-table.js';
import { ReleaseSecrets } from './secrets.js';
import type { InfraSettings, SecretKind } from './settings.js';

/** Props of {@link SecrelStack}. */
export interface SecrelStackProps extends StackProps {
  /** Validated deployment settings (`parseInfraSettings`). */
  readonly settings: InfraSettings;
  /**
   * The validated secrel config (`parseConfig`). It holds no secrets; handlers receive it as
   * `SECREL_CONFIG_JSON`.
   */
  readonly config: { readonly hackerone?: unknown; readonly versionServer?: unknown };
}

/**
 * secrel on AWS: table, secrets, ingress, action functions, the release state machine, alarms and
 * the operations dashboard.
 */
export class SecrelStack extends Stack {
  readonly table: ReleaseTable;
  readonly secrets: ReleaseSecrets;
  readonly ingress: Ingress;
  readonly functions: ActionFunctions;
  readonly workflow: ReleaseWorkflow;
  readonly redrive: ReleaseRedrive;
  readonly alarms: ReleaseAlarms;
  readonly operations: OperationsDashboard;

  constructor(scope: Construct, id: string, props: SecrelStackProps) {
    super(scope, id, props);
    const { settings, config } = props;
    const stage = settings.stage;

    this.table = new ReleaseTable(this, 'Releases', { stage });
    const optional: SecretKind[] = [];
    if (settings.signedWebhooks) optional.push('signingKey');
    if (config.hackerone !== undefined) optional.push('hackeroneToken');
    if (config.versionServer !== undefined) optional.push('versionServerToken');
    if (settings.slackNotifications) optional.push('slackWebhookUrl');
    this.secrets = new ReleaseSecrets(this, 'Secrets', {
      stage,
      mode: settings.secretMode,
      kinds: optional,
      names: settings.secretNames,
    });

    // The machine invokes the functions and two of them answer it: they get its ARN from its fixed
    // name, not from the machine, or CloudFormation would see a cycle.
    const name = stateMachineName(stage);
    const arn = this.formatArn({
      service: 'states',
      resource: 'stateMachine',
      resourceName: name,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const byArn = StateMachine.fromStateMachineArn(this, 'ReleaseStateMachineByArn', arn);
    const environment = {
      TABLE_NAME: this.table.table.tableName,
      SECREL_CONFIG_JSON: JSON.stringify(config),
    } satisfies Partial<FunctionEnv<'gate'>>;

    this.functions = new ActionFunctions(this, 'Functions', {
      stage,
      table: this.table,
      secrets: this.secrets,
      environment,
      stateMachine: byArn,
      ...(config.hackerone !== undefined && settings.hackeroneApiIdentifier
        ? { hackeroneApiIdentifier: settings.hackeroneApiIdentifier }
        : {}),
    });
    this.ingress = new Ingress(this, 'Ingress', {
      stage,
      table: this.table,
      secrets: this.secrets,
      environment,
      stateMachine: byArn,
      stateMachineName: name,
      actions: this.functions.actions,
      rateLimit: settings.ingressRateLimit,
      burstLimit: settings.ingressBurstLimit,
      reservedConcurrency: settings.webhookReservedConcurrency,
    });
    this.workflow = new ReleaseWorkflow(this, 'Workflow', {
      stage,
      stateMachineName: name,
      actions: this.functions.actions,
      gate: this.functions.gate,
    });
    this.redrive = new ReleaseRedrive(this, 'Redrive', { stage, stateMachineName: name });
    this.alarms = new ReleaseAlarms(this, 'Alarms', {
      stage,
      stateMachine: this.workflow.stateMachine,
      api: this.ingress.api,
      functions: {
        Webhook: this.ingress.webhook,
        Actions: this.functions.actions,
        Gate: this.functions.gate,
      },
      alarmEmail: settings.alarmEmail,
    });

    this.operations = new OperationsDashboard(this, 'Operations', {
      stage,
      api: this.ingress.api,
      stateMachine: this.workflow.stateMachine,
      functions: {
        webhook: this.ingress.webhook,
        actions: this.functions.actions,
        gate: this.functions.gate,
      },
      alarms: this.alarms.alarms,
    });

    new CfnOutput(this, 'WebhookUrl', {
      value: this.ingress.webhookUrl,
      description: "Paste into the GitLab project's Settings > Webhooks > URL",
    });
    const webhookSecret = this.secrets.secret('webhookSecret');
    if (webhookSecret) {
      new CfnOutput(this, 'WebhookSecretArn', {
        value: webhookSecret.secretArn,
        description: 'Secret token for GitLab: aws secretsmanager get-secret-value --secret-id <this>',
      });
    }
    new CfnOutput(this, 'StateMachineArn', { value: this.workflow.stateMachine.stateMachineArn });
    new CfnOutput(this, 'TableName', { value: this.table.table.tableName });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarms.topic.topicArn });
    new CfnOutput(this, 'OperationsDashboardUrl', {
      value: this.operations.url,
      description: 'CloudWatch dashboard: alarms, ingress, executions, actions, late tasks',
    });
  }
}
