import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_DEFINITION_PATH,
  type JsonObject,
  LOCAL_TIMEOUT_FIELD,
  loadDefinition,
  localizeDefinition,
  MAX_LIBRARY_TIMEOUT_SECONDS,
  placeholder,
} from '../../../lib/local/engine/definition.js';

/** Every state of a definition, nested ones included. */
function statesOf(machine: JsonObject): Map<string, JsonObject> {
  const found = new Map<string, JsonObject>();
  const walk = (m: unknown) => {
    const states = (m as { States: Record<string, JsonObject> }).States;
    for (const [name, state] of Object.entries(states)) {
      found.set(name, state);
      if (state.ItemProcessor) walk(state.ItemProcessor);
      if (Array.isArray(state.Branches)) for (const b of state.Branches) walk(b);
    }
  };
  walk(machine);
  return found;
}

const tiny = (states: JsonObject): JsonObject => ({ StartAt: Object.keys(states)[0] ?? '', States: states });
const gateState: JsonObject = {
  Type: 'Task',
  Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
  Parameters: {
    FunctionName: placeholder('gate'),
    Payload: { 'releaseId.$': '$.releaseId', gate: 'publish', 'token.$': '$$.Task.Token' },
  },
  TimeoutSecondsPath: '$.timing.secondsToCutoff',
  End: true,
};

describe('rewriting the ASL for the local engine', () => {
  it('leaves the file on disk exactly as AWS runs it', () => {
    const before = readFileSync(DEFAULT_DEFINITION_PATH, 'utf8');
    localizeDefinition(loadDefinition());
    expect(readFileSync(DEFAULT_DEFINITION_PATH, 'utf8')).toBe(before);
  });

  it('turns every Wait into a local task that sleeps until the same timestamp and passes its input on', () => {
    // The generated machine waits on start gates; the engine still runs any Wait an ASL may hold.
    const source = tiny({
      'Day one: wait for start': {
        Type: 'Wait',
        TimestampPath: '$.schedule.phases.dayOne.start',
        Next: 'Day one: wait a little',
      },
      'Day one: wait a little': { Type: 'Wait', Seconds: 5, End: true },
    });
    const { definition, tasks } = localizeDefinition(source);
    const original = statesOf(source);
    const waits = [...original].filter(([, s]) => s.Type === 'Wait');
    expect(waits.length).toBe(2);
    for (const [name, wait] of waits) {
      const local = statesOf(definition).get(name);
      expect(local?.Type).toBe('Task');
      expect(local?.Parameters).toEqual(
        wait.TimestampPath ? { 'until.$': wait.TimestampPath } : { seconds: wait.Seconds },
      );
      expect(local?.ResultPath).toBeNull();
      expect(local?.Next).toBe(wait.Next);
      expect(tasks.get(name)).toEqual({ kind: 'wait' });
    }
  });

  it('lets the engine mint the task token and read the gate timeout from the state input', () => {
    const { definition, tasks } = localizeDefinition(tiny({ 'Day one: tasks done?': gateState }));
    const local = statesOf(definition).get('Day one: tasks done?');
    expect(local?.Parameters).toEqual({
      FunctionName: placeholder('gate'),
      Payload: { 'releaseId.$': '$.releaseId', gate: 'publish' },
      [`${LOCAL_TIMEOUT_FIELD}.$`]: '$.timing.secondsToCutoff',
    });
    expect(local?.TimeoutSecondsPath).toBeUndefined();
    expect(tasks.get('Day one: tasks done?')).toEqual({ kind: 'gate', fn: 'gate', tokenField: 'token' });
  });

  it('lifts the 60-second default from every task, below the timer overflow', () => {
    const { definition } = localizeDefinition(loadDefinition());
    const taskStates = [...statesOf(definition).values()].filter((s) => s.Type === 'Task');
    expect(taskStates.length).toBeGreaterThan(50);
    for (const task of taskStates) expect(task.TimeoutSeconds).toBe(MAX_LIBRARY_TIMEOUT_SECONDS);
  });

  it('refuses JSONata, unknown functions, and gates without a task token', () => {
    expect(() =>
      localizeDefinition({ ...tiny({ 'Day one: done': { Type: 'Succeed' } }), QueryLanguage: 'JSONata' }),
    ).toThrow(/JSONPath/);
    const other = {
      ...gateState,
      Parameters: { FunctionName: 'arn:aws:lambda:eu-west-1:1:function:x', Payload: {} },
    };
    expect(() => localizeDefinition(tiny({ 'Day one: x': other }))).toThrow(/ActionsFunctionArn/);
    const tokenless = {
      ...gateState,
      Parameters: { FunctionName: placeholder('gate'), Payload: { gate: 'publish' } },
    };
    expect(() => localizeDefinition(tiny({ 'Day one: y': tokenless }))).toThrow(/Task\.Token/);
  });
});
