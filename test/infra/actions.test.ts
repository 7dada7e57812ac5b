import { describe, expect, it } from 'vitest';
import { actionsOfRole, statementsOfRole, synthesizeOnce } from './synth.js';

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

  it('give the actions function no say over executions: only the state machine calls it', () => {
    const actions = actionsOfRole(synthesizeOnce().template, 'FunctionsActionsRole');
    expect(actions.filter((action) => action.startsWith('states:'))).toEqual([]);
    expect(actions).toEqual(expect.arrayContaining(['dynamodb:ConditionCheckItem', 'dynamodb:PutItem']));
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
