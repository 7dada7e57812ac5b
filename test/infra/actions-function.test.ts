import { describe, expect, it } from 'vitest';
import { exampleConfig, minimalConfig } from '../support/configs.js';
import { actionsOfRole, resourcesOfType, statementsOfRole, synthesizeOnce } from './synth.js';

describe('action and gate functions', () => {
  it('let the gate answer task tokens of the release state machine, and nothing more on it', () => {
    const { template } = synthesizeOnce();
    const states = statementsOfRole(template, 'FunctionsGateRole').filter((s) =>
      [s.Action].flat().some((action) => action.startsWith('states:')),
    );
    expect(states.flatMap((s) => [s.Action].flat()).sort()).toEqual([
      'states:SendTaskFailure',
      'states:SendTaskHeartbeat',
      'states:SendTaskSuccess',
    ]);
    expect(JSON.stringify(states[0]?.Resource)).toContain(':stateMachine:secrel-dev-security-release');
  });

  it('let the actions function answer task tokens (a finished task can open a waiting gate) but never start or stop executions', () => {
    const actions = actionsOfRole(synthesizeOnce().template, 'FunctionsActionsRole');
    expect(actions.filter((action) => action.startsWith('states:'))).toEqual([
      'states:SendTaskFailure',
      'states:SendTaskHeartbeat',
      'states:SendTaskSuccess',
    ]);
    expect(actions).toEqual(expect.arrayContaining(['dynamodb:ConditionCheckItem', 'dynamodb:PutItem']));
  });

  it('tell the actions function the HackerOne API identifier only when HackerOne is configured and the identifier given', () => {
    const identifierOf = (context: Record<string, unknown>, config = exampleConfig()) =>
      (
        Object.entries(
          resourcesOfType(synthesizeOnce(context, config).template, 'AWS::Lambda::Function'),
        ).find(([id]) => id.startsWith('FunctionsActions'))?.[1].Properties?.Environment as
          | { Variables: Record<string, unknown> }
          | undefined
      )?.Variables.HACKERONE_API_IDENTIFIER;
    expect(identifierOf({ hackeroneApiIdentifier: 'secrel-bot' })).toBe('secrel-bot');
    expect(identifierOf({})).toBeUndefined();
    expect(identifierOf({ hackeroneApiIdentifier: 'secrel-bot' }, minimalConfig())).toBeUndefined();
  });

  it('give every function write access to its own log group only', () => {
    const { template } = synthesizeOnce();
    for (const role of ['IngressWebhookRole', 'FunctionsGateRole', 'FunctionsActionsRole']) {
      const logs = statementsOfRole(template, role).filter((s) =>
        [s.Action].flat().some((action) => action.startsWith('logs:')),
      );
      expect(logs).toHaveLength(1);
      expect(JSON.stringify(logs[0]?.Resource)).toContain(role.replace('Role', 'Logs'));
    }
  });
});
