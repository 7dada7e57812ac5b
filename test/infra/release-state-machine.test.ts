import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFINITION_SUBSTITUTIONS, STATE_MACHINE_FILE } from '../../lib/infra/release-state-machine.js';
import { actionsOfRole, logicalId, resourcesOfType, statementsOfRole, synthesizeOnce } from './synth.js';

interface StateMachineProps {
  StateMachineName: string;
  StateMachineType: string;
  DefinitionS3Location: { Key: string };
  DefinitionSubstitutions: Record<string, { 'Fn::GetAtt': [string, string] }>;
  LoggingConfiguration: { Level: string; IncludeExecutionData: boolean; Destinations: unknown[] };
  TracingConfiguration: { Enabled: boolean };
}

function stateMachine() {
  const synthesized = synthesizeOnce();
  // The release machine is the one with a fixed name (the re-driver of lib/infra/redrive.ts has none).
  const machines = Object.values(
    resourcesOfType(synthesized.template, 'AWS::StepFunctions::StateMachine'),
  ).filter((machine) => machine.Properties?.StateMachineName !== undefined);
  expect(machines).toHaveLength(1);
  return { ...synthesized, props: machines[0]?.Properties as unknown as StateMachineProps };
}

/** How the ASL file writes a substitution. */
const placeholder = (name: string): string => ['$', '{', name, '}'].join('');

/** The definition CloudFormation will deploy: the staged file with its substitutions applied. */
function deployedDefinition(): { deployed: unknown; expected: unknown } {
  const { outdir, stack, props } = stateMachine();
  const manifest = JSON.parse(readFileSync(join(outdir, `${stack.artifactId}.assets.json`), 'utf8')) as {
    files: Record<string, { source: { path: string } }>;
  };
  const hash = props.DefinitionS3Location.Key.replace(/\.json$/, '');
  const staged = manifest.files[hash]?.source.path;
  expect(staged).toBeDefined();
  // Each function ARN stands in as a recognisable marker, in both texts alike.
  const marker = (name: string) => {
    const [id, attribute] = props.DefinitionSubstitutions[name]?.['Fn::GetAtt'] ?? [];
    return `arn:marker:${id}:${attribute}`;
  };
  const substitute = (text: string) =>
    text.replace(/\$\{([A-Za-z0-9]+)\}/g, (whole, name: string) =>
      name in props.DefinitionSubstitutions ? marker(name) : whole,
    );
  const deployed = substitute(readFileSync(join(outdir, staged as string), 'utf8'));
  const file = readFileSync(STATE_MACHINE_FILE, 'utf8');
  const actions = logicalId(stateMachine().template, 'AWS::Lambda::Function', 'FunctionsActions');
  const gate = logicalId(stateMachine().template, 'AWS::Lambda::Function', 'FunctionsGate');
  const expected = file
    .replaceAll(placeholder('ActionsFunctionArn'), `arn:marker:${actions}:Arn`)
    .replaceAll(placeholder('GateFunctionArn'), `arn:marker:${gate}:Arn`);
  return { deployed: JSON.parse(deployed), expected: JSON.parse(expected) };
}

describe('the release state machine', () => {
  it('runs on AWS exactly the ASL file the local engine runs, with the function ARNs filled in', () => {
    const { deployed, expected } = deployedDefinition();
    expect(deployed).toEqual(expected);
    expect(JSON.stringify(deployed)).not.toMatch(/\$\{/);
  });

  it('substitutes exactly the placeholders the ASL file uses', () => {
    const placeholders = new Set(
      [...readFileSync(STATE_MACHINE_FILE, 'utf8').matchAll(/\$\{([A-Za-z0-9]+)\}/g)].map((m) => m[1]),
    );
    expect([...placeholders].sort()).toEqual([...DEFINITION_SUBSTITUTIONS].sort());
    expect(Object.keys(stateMachine().props.DefinitionSubstitutions).sort()).toEqual(
      [...DEFINITION_SUBSTITUTIONS].sort(),
    );
  });

  it('is a Standard workflow with its fixed name, logging every event without execution data, traced', () => {
    const { props } = stateMachine();
    expect(props.StateMachineType).toBe('STANDARD');
    expect(props.StateMachineName).toBe('secrel-dev-security-release');
    expect(props.LoggingConfiguration.Level).toBe('ALL');
    expect(props.LoggingConfiguration.IncludeExecutionData).toBe(false);
    expect(props.LoggingConfiguration.Destinations).toHaveLength(1);
    expect(props.TracingConfiguration).toEqual({ Enabled: true });
  });

  it('may invoke the actions and gate functions, and no other', () => {
    const { template } = stateMachine();
    const invokes = statementsOfRole(template, 'WorkflowStateMachineRole').filter((s) =>
      [s.Action].flat().includes('lambda:InvokeFunction'),
    );
    const targets = JSON.stringify(invokes.map((s) => s.Resource));
    const functions = Object.keys(resourcesOfType(template, 'AWS::Lambda::Function'));
    for (const id of functions) {
      expect(targets.includes(`"${id}"`)).toBe(!id.startsWith('IngressWebhook'));
    }
    expect(actionsOfRole(template, 'WorkflowStateMachineRole')).not.toContain('states:StartExecution');
  });
});
