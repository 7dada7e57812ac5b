import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as z from 'zod';
import { DEFINITION_SUBSTITUTIONS } from '../../core/types/workflow.js';
import { UnsupportedDefinitionError } from './errors.js';

/**
 * Turns the ASL file AWS runs into the definition aws-local-stepfunctions 3.0.0 runs the same
 * way (DESIGN.md §9), in memory only: Waits sleep on the release clock, gates wait for their
 * task token, and every task timeout is enforced by the engine on the release clock.
 */

/** A JSON value, as ASL definitions and state data are. */
export type Json = z.infer<ReturnType<typeof z.json>>;
/** A JSON object. */
export type JsonObject = { [key: string]: Json };

/** The ASL file the CDK app deploys. */
export const DEFAULT_DEFINITION_PATH = fileURLToPath(
  new URL('../../../statemachines/security-release.asl.json', import.meta.url),
);

/** Which local handler a function substitution maps to. */
export type LocalFunction = keyof typeof DEFINITION_SUBSTITUTIONS;

/** The placeholder the ASL writes for a function's ARN: `${ActionsFunctionArn}`. */
export function placeholder(fn: LocalFunction): string {
  return `\${${DEFINITION_SUBSTITUTIONS[fn]}}`;
}

/**
 * Parameters field the rewrite adds for a task's timeout, so it is read from the state input as on
 * AWS (`TimeoutSecondsPath` is a path into the state input; the library reads it after Parameters).
 */
export const LOCAL_TIMEOUT_FIELD = 'secrelLocalTimeoutSeconds';

/** Largest timeout the library's own timer can hold without overflowing (DESIGN.md §9). */
export const MAX_LIBRARY_TIMEOUT_SECONDS = 2_147_483;

/** How a rewritten Task state is run locally. */
export type LocalTask =
  | { readonly kind: 'wait' }
  | { readonly kind: 'invoke'; readonly fn: LocalFunction }
  | { readonly kind: 'gate'; readonly fn: LocalFunction; readonly tokenField: string };

/** A definition ready for aws-local-stepfunctions and how each of its tasks runs. */
export interface LocalizedDefinition {
  readonly definition: JsonObject;
  /** Every Task state (including rewritten Waits), by state name: names are unique machine-wide. */
  readonly tasks: ReadonlyMap<string, LocalTask>;
  /** Retry intervals in each retrier of each state, in seconds, for compressing them to release time. */
  readonly retryIntervals: ReadonlyMap<string, readonly number[]>;
}

const machineSchema = z.looseObject({
  StartAt: z.string(),
  States: z.record(z.string(), z.looseObject({ Type: z.string() })),
});
const retrySchema = z.array(z.looseObject({ IntervalSeconds: z.number().optional() }));
const stringRecord = z.record(z.string(), z.json());

/** Reads the ASL file from disk and checks its outline. */
export function loadDefinition(path: string = DEFAULT_DEFINITION_PATH): JsonObject {
  const raw: unknown = JSON.parse(readFileSync(path, 'utf8'));
  machineSchema.parse(raw);
  return stringRecord.parse(raw);
}

/** Rewrites a definition for the local engine; the input is not changed. */
export function localizeDefinition(source: JsonObject): LocalizedDefinition {
  const tasks = new Map<string, LocalTask>();
  const retryIntervals = new Map<string, readonly number[]>();
  const definition = rewriteMachine(structuredClone(source), tasks, retryIntervals);
  delete definition.QueryLanguage;
  return { definition, tasks, retryIntervals };
}

function rewriteMachine(
  machine: JsonObject,
  tasks: Map<string, LocalTask>,
  retryIntervals: Map<string, readonly number[]>,
): JsonObject {
  const { States } = machineSchema.parse(machine);
  if (machine.QueryLanguage !== undefined && machine.QueryLanguage !== 'JSONPath') {
    throw new UnsupportedDefinitionError('the local engine runs JSONPath definitions only');
  }
  const states: JsonObject = {};
  for (const [name, parsed] of Object.entries(States)) {
    const state = stringRecord.parse(parsed);
    if (state.QueryLanguage !== undefined && state.QueryLanguage !== 'JSONPath') {
      throw new UnsupportedDefinitionError(`state "${name}" uses ${String(state.QueryLanguage)}`);
    }
    if (tasks.has(name) || retryIntervals.has(name)) {
      throw new UnsupportedDefinitionError(`state name "${name}" is used twice`);
    }
    let local: JsonObject;
    if (state.Type === 'Wait') local = rewriteWait(name, state, tasks);
    else if (state.Type === 'Task') local = rewriteTask(name, state, tasks);
    else local = state;
    if (state.Type === 'Map') rewriteMap(local, tasks, retryIntervals);
    if (state.Type === 'Parallel') rewriteParallel(local, tasks, retryIntervals);
    const retry = retrySchema.safeParse(local.Retry);
    if (retry.success)
      retryIntervals.set(
        name,
        retry.data.map((r) => r.IntervalSeconds ?? 1),
      );
    states[name] = local;
  }
  return { ...machine, States: states };
}

function rewriteMap(
  state: JsonObject,
  tasks: Map<string, LocalTask>,
  retryIntervals: Map<string, readonly number[]>,
): void {
  for (const field of ['ItemProcessor', 'Iterator'] as const) {
    const inner = state[field];
    if (isObject(inner)) state[field] = rewriteMachine(inner, tasks, retryIntervals);
  }
}

function rewriteParallel(
  state: JsonObject,
  tasks: Map<string, LocalTask>,
  retryIntervals: Map<string, readonly number[]>,
): void {
  const branches = state.Branches;
  if (!Array.isArray(branches)) throw new UnsupportedDefinitionError('a Parallel state needs Branches');
  state.Branches = branches.map((branch) => {
    if (!isObject(branch)) throw new UnsupportedDefinitionError('a Parallel branch must be an object');
    return rewriteMachine(branch, tasks, retryIntervals);
  });
}

/** A Wait becomes a local task that sleeps on the release clock and passes its input on. */
function rewriteWait(name: string, state: JsonObject, tasks: Map<string, LocalTask>): JsonObject {
  if (state.InputPath !== undefined) {
    throw new UnsupportedDefinitionError(
      `Wait "${name}" has an InputPath; the local engine does not support it`,
    );
  }
  const parameters: JsonObject = {};
  if (typeof state.TimestampPath === 'string') parameters['until.$'] = state.TimestampPath;
  else if (typeof state.Timestamp === 'string') parameters.until = state.Timestamp;
  else if (typeof state.SecondsPath === 'string') parameters['seconds.$'] = state.SecondsPath;
  else if (typeof state.Seconds === 'number') parameters.seconds = state.Seconds;
  else throw new UnsupportedDefinitionError(`Wait "${name}" has no Seconds or Timestamp`);
  tasks.set(name, { kind: 'wait' });
  const task: JsonObject = {
    Type: 'Task',
    Resource: 'arn:aws:states:::secrel:local-wait',
    Parameters: parameters,
    ResultPath: null,
    TimeoutSeconds: MAX_LIBRARY_TIMEOUT_SECONDS,
    // The library's own timer gives up after ~24.8 real days; a longer wait simply starts again.
    Retry: [{ ErrorEquals: ['States.Timeout'], IntervalSeconds: 1, MaxAttempts: 1000, BackoffRate: 1 }],
  };
  for (const keep of ['Comment', 'OutputPath', 'Next', 'End'] as const) {
    if (state[keep] !== undefined) task[keep] = state[keep];
  }
  return task;
}

/** A Task calls a local handler; its timeout moves into Parameters for the engine to enforce. */
function rewriteTask(name: string, state: JsonObject, tasks: Map<string, LocalTask>): JsonObject {
  const resource = state.Resource;
  if (typeof resource !== 'string' || !resource.startsWith('arn:aws:states:::lambda:invoke')) {
    throw new UnsupportedDefinitionError(
      `Task "${name}" calls ${String(resource)}; only lambda:invoke runs locally`,
    );
  }
  const parameters = state.Parameters;
  if (!isObject(parameters)) throw new UnsupportedDefinitionError(`Task "${name}" has no Parameters`);
  const fn = localFunction(name, parameters.FunctionName);
  const local: JsonObject = { ...state, Parameters: { ...parameters } };
  const localParameters = local.Parameters as JsonObject;

  if (resource === 'arn:aws:states:::lambda:invoke.waitForTaskToken') {
    const payload = isObject(parameters.Payload) ? { ...parameters.Payload } : undefined;
    const holder = payload ?? localParameters;
    const tokenKey = Object.keys(holder).find((key) => key.endsWith('.$') && holder[key] === '$$.Task.Token');
    if (!tokenKey) throw new UnsupportedDefinitionError(`gate "${name}" passes no $$.Task.Token`);
    // The library has no $$.Task.Token; the engine mints the token and puts it here.
    delete holder[tokenKey];
    if (payload) localParameters.Payload = payload;
    tasks.set(name, { kind: 'gate', fn, tokenField: tokenKey.slice(0, -2) });
  } else if (resource === 'arn:aws:states:::lambda:invoke') {
    tasks.set(name, { kind: 'invoke', fn });
  } else {
    throw new UnsupportedDefinitionError(`Task "${name}" uses ${resource}; the local engine cannot run it`);
  }

  if (typeof state.TimeoutSecondsPath === 'string')
    localParameters[`${LOCAL_TIMEOUT_FIELD}.$`] = state.TimeoutSecondsPath;
  else if (typeof state.TimeoutSeconds === 'number')
    localParameters[LOCAL_TIMEOUT_FIELD] = state.TimeoutSeconds;
  delete local.TimeoutSecondsPath;
  delete local.HeartbeatSeconds;
  delete local.HeartbeatSecondsPath;
  local.TimeoutSeconds = MAX_LIBRARY_TIMEOUT_SECONDS;
  return local;
}

function localFunction(stateName: string, functionName: Json | undefined): LocalFunction {
  const fns: readonly LocalFunction[] = ['actions', 'gate'];
  const fn = fns.find((f) => functionName === placeholder(f));
  if (fn) return fn;
  throw new UnsupportedDefinitionError(
    `Task "${stateName}" calls ${String(functionName)}; expected ${placeholder('actions')} or ${placeholder('gate')}`,
  );
}

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
