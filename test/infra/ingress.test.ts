import { describe, expect, it } from 'vitest';
import { WEBHOOK_PATH } from '../../lib/infra/ingress.js';
import { actionsOfRole, logicalId, resourcesOfType, statementsOfRole, synthesizeOnce } from './synth.js';

describe('webhook ingress', () => {
  it('takes POST /webhooks/gitlab, the same path as local mode, and sends it to the webhook function', () => {
    const { template } = synthesizeOnce();
    const routes = Object.values(resourcesOfType(template, 'AWS::ApiGatewayV2::Route'));
    expect(routes.map((route) => route.Properties?.RouteKey)).toEqual([`POST ${WEBHOOK_PATH}`]);
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
    });
  });

  it('throttles a flood at the API stage, before any function runs, and keeps access logs', () => {
    const { template } = synthesizeOnce({ ingressRateLimit: '7', ingressBurstLimit: '14' });
    const stages = Object.values(resourcesOfType(template, 'AWS::ApiGatewayV2::Stage'));
    expect(stages).toHaveLength(1);
    const stage = stages[0]?.Properties ?? {};
    expect(stage.StageName).toBe('$default');
    expect(stage.DefaultRouteSettings).toEqual({ ThrottlingRateLimit: 7, ThrottlingBurstLimit: 14 });
    expect(stage.AccessLogSettings).toMatchObject({ DestinationArn: expect.anything() });
  });

  it('caps concurrent webhook functions only when asked to', () => {
    const reserved = (context: Record<string, unknown>) =>
      Object.entries(resourcesOfType(synthesizeOnce(context).template, 'AWS::Lambda::Function')).find(
        ([id]) => id.startsWith('IngressWebhook'),
      )?.[1].Properties?.ReservedConcurrentExecutions;
    expect(reserved({})).toBeUndefined();
    expect(reserved({ webhookReservedConcurrency: 3 })).toBe(3);
  });

  it('may start, answer and stop release executions, on the release state machine only', () => {
    const { template } = synthesizeOnce();
    const states = statementsOfRole(template, 'IngressWebhookRole').filter((s) =>
      [s.Action].flat().some((action) => action.startsWith('states:')),
    );
    expect(states.flatMap((s) => [s.Action].flat()).sort()).toEqual([
      'states:SendTaskFailure',
      'states:SendTaskHeartbeat',
      'states:SendTaskSuccess',
      'states:StartExecution',
      'states:StopExecution',
    ]);
    for (const statement of states) {
      expect(JSON.stringify(statement.Resource)).toMatch(
        /:(stateMachine|execution):secrel-dev-security-release(:\*)?"/,
      );
    }
  });

  it('reads and writes the release table, and never deletes the table itself', () => {
    const actions = actionsOfRole(synthesizeOnce().template, 'IngressWebhookRole');
    expect(actions).toEqual(
      expect.arrayContaining(['dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:GetItem']),
    );
    expect(actions).not.toContain('dynamodb:DeleteTable');
  });

  it('hands replies and notices to the actions function: told its name, may invoke it and no other function', () => {
    const { template } = synthesizeOnce();
    const actionsFn = logicalId(template, 'AWS::Lambda::Function', 'FunctionsActions');
    const webhookFn = Object.entries(resourcesOfType(template, 'AWS::Lambda::Function')).find(([id]) =>
      id.startsWith('IngressWebhook'),
    )?.[1];
    const env = (webhookFn?.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)
      ?.Variables;
    expect(env?.ACTIONS_FUNCTION_NAME).toEqual({ Ref: actionsFn });
    const lambda = statementsOfRole(template, 'IngressWebhookRole').filter((s) =>
      [s.Action].flat().some((action) => action.startsWith('lambda:')),
    );
    expect(lambda).toEqual([
      { Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: { 'Fn::GetAtt': [actionsFn, 'Arn'] } },
    ]);
  });

  it('gives the webhook role nothing beyond its table, secrets, state machine, logs, traces and that one invoke', () => {
    const services = new Set(
      actionsOfRole(synthesizeOnce().template, 'IngressWebhookRole').map((action) => action.split(':')[0]),
    );
    expect([...services].sort()).toEqual(['dynamodb', 'lambda', 'logs', 'secretsmanager', 'states', 'xray']);
  });
});
