import { describe, expect, it } from 'vitest';
import { MAX_REDRIVES, NOT_REDRIVEN_ERROR } from '../../lib/infra/redrive.js';
import { resourcesOfType, type StatementJson, statementsOfRole, synthesizeOnce } from './synth.js';

interface RuleProps {
  EventPattern: {
    source: string[];
    'detail-type': string[];
    detail: {
      status: string[];
      stateMachineArn: unknown[];
      redriveCount: { numeric: [string, number] }[];
      error: { 'anything-but': string[] }[];
    };
  };
  Targets: { Arn: unknown; RetryPolicy?: { MaximumRetryAttempts: number } }[];
}

function rule(): RuleProps {
  const rules = Object.values(resourcesOfType(synthesizeOnce().template, 'AWS::Events::Rule'));
  expect(rules).toHaveLength(1);
  return rules[0]?.Properties as unknown as RuleProps;
}

const flat = (statements: StatementJson[]) =>
  statements.flatMap((s) =>
    (Array.isArray(s.Action) ? s.Action : [s.Action]).map((action) => ({ action, s })),
  );

describe('re-drive of failed release executions', () => {
  it('matches only FAILED executions of the release machine, a bounded number of times, never a failed publication', () => {
    const { EventPattern } = rule();
    expect(EventPattern.source).toEqual(['aws.states']);
    expect(EventPattern['detail-type']).toEqual(['Step Functions Execution Status Change']);
    expect(EventPattern.detail.status).toEqual(['FAILED']);
    expect(JSON.stringify(EventPattern.detail.stateMachineArn)).toContain(':stateMachine:secrel-');
    expect(EventPattern.detail.redriveCount).toEqual([{ numeric: ['<', MAX_REDRIVES] }]);
    expect(MAX_REDRIVES).toBeGreaterThan(0);
    expect(MAX_REDRIVES).toBeLessThanOrEqual(5);
    expect(EventPattern.detail.error).toEqual([{ 'anything-but': [NOT_REDRIVEN_ERROR] }]);
    expect(NOT_REDRIVEN_ERROR).toBe('Publish.Failed');
  });

  it('targets the re-driver machine, which calls RedriveExecution on that execution and nothing else', () => {
    const { template } = synthesizeOnce();
    const { Targets } = rule();
    expect(Targets).toHaveLength(1);
    const machines = resourcesOfType(template, 'AWS::StepFunctions::StateMachine');
    const redriver = Object.keys(machines).find((id) => id.startsWith('RedriveRedriver'));
    expect(redriver).toBeDefined();
    expect(Targets[0]?.Arn).toEqual({ Ref: redriver });
    const definition = JSON.stringify(machines[redriver as string]?.Properties?.DefinitionString);
    expect(definition).toContain(':states:::aws-sdk:sfn:redriveExecution');
    expect(definition).toContain('$.detail.executionArn');
  });

  it('grants states:RedriveExecution on the release machine executions only (least privilege)', () => {
    const { template } = synthesizeOnce();
    const granted = flat(statementsOfRole(template, 'RedriveRedriverRole'));
    const states = granted.filter(({ action }) => action.startsWith('states:'));
    expect(states.map(({ action }) => action)).toEqual(['states:RedriveExecution']);
    const resource = JSON.stringify(states[0]?.s.Resource);
    expect(resource).toContain(':execution:secrel-');
    expect(resource).not.toContain('stateMachine');
    // Everything else is log delivery and tracing, which accept only *.
    for (const { action } of granted.filter(({ action }) => !action.startsWith('states:'))) {
      expect(action).toMatch(/^(logs|xray):/);
    }
    // The rule's role may only start the re-driver.
    const ruleRole = flat(statementsOfRole(template, 'RedriveRedriverEventsRole'));
    expect(ruleRole.map(({ action }) => action)).toEqual(['states:StartExecution']);
  });
});
