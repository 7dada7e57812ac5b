import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as z from 'zod';

/** Reading the ASL file as data, for tests that check its shape. */

/** The ASL file the CDK app deploys and the local engine runs. */
export const ASL_PATH = fileURLToPath(
  new URL('../../statemachines/security-release.asl.json', import.meta.url),
);

const stateSchema = z.looseObject({
  Type: z.enum(['Task', 'Parallel', 'Map', 'Pass', 'Wait', 'Choice', 'Succeed', 'Fail']),
  Next: z.string().optional(),
  End: z.boolean().optional(),
  Default: z.string().optional(),
  Choices: z.array(z.looseObject({ Next: z.string() })).optional(),
  Catch: z
    .array(
      z.object({
        ErrorEquals: z.array(z.string()),
        Next: z.string(),
        ResultPath: z.string().nullable().optional(),
      }),
    )
    .optional(),
  Retry: z.array(z.looseObject({ ErrorEquals: z.array(z.string()) })).optional(),
  Resource: z.string().optional(),
  Parameters: z
    .looseObject({
      FunctionName: z.string().optional(),
      Payload: z.record(z.string(), z.unknown()).optional(),
    })
    .optional(),
  TimeoutSecondsPath: z.string().optional(),
  TimestampPath: z.string().optional(),
});

/** One state of the machine. */
export type AslState = z.infer<typeof stateSchema>;

/** A state machine or a branch / item processor inside one. */
export interface AslMachine {
  readonly StartAt: string;
  readonly States: Readonly<Record<string, AslState>>;
}

const machineSchema: z.ZodType<AslMachine> = z.looseObject({
  StartAt: z.string(),
  States: z.record(z.string(), stateSchema),
});

/** The raw definition, as JSON. */
export function readAsl(): unknown {
  return JSON.parse(readFileSync(ASL_PATH, 'utf8'));
}

/** The definition, checked enough to walk it. */
export function readMachine(): AslMachine {
  return machineSchema.parse(readAsl());
}

/** The machines nested in a Map or Parallel state. */
export function nestedMachines(state: AslState): AslMachine[] {
  const inner: unknown[] = [];
  if (state.Type === 'Map') inner.push(state.ItemProcessor ?? state.Iterator);
  if (state.Type === 'Parallel' && Array.isArray(state.Branches)) inner.push(...state.Branches);
  return inner.map((m) => machineSchema.parse(m));
}

/** Every state anywhere in the machine, by name (names are unique machine-wide). */
export function allStates(machine: AslMachine): Map<string, AslState> {
  const found = new Map<string, AslState>();
  const walk = (m: AslMachine) => {
    for (const [name, state] of Object.entries(m.States)) {
      if (found.has(name)) throw new Error(`state name used twice: ${name}`);
      found.set(name, state);
      for (const inner of nestedMachines(state)) walk(inner);
    }
  };
  walk(machine);
  return found;
}

/**
 * The names of states reachable from StartAt without passing through `blocked`. Entering a Map or
 * Parallel reaches its branches; a branch's end reaches what follows the Map or Parallel.
 */
export function reachable(
  machine: AslMachine,
  from: string,
  blocked: ReadonlySet<string> = new Set(),
): Set<string> {
  const edges = new Map<string, string[]>();
  const link = (a: string, b: string) => edges.set(a, [...(edges.get(a) ?? []), b]);
  const build = (m: AslMachine, after: readonly string[]) => {
    for (const [name, state] of Object.entries(m.States)) {
      const next = [state.Next, state.Default, ...(state.Choices ?? []).map((c) => c.Next)];
      for (const n of next) if (n) link(name, n);
      for (const c of state.Catch ?? []) link(name, c.Next);
      if (state.End) for (const a of after) link(name, a);
      for (const inner of nestedMachines(state)) {
        link(name, inner.StartAt);
        build(inner, [
          ...(state.Next ? [state.Next] : []),
          ...(state.Catch ?? []).map((c) => c.Next),
          ...after,
        ]);
      }
    }
  };
  build(machine, []);
  const seen = new Set<string>();
  const queue = [from];
  while (queue.length > 0) {
    const name = queue.shift() ?? '';
    if (seen.has(name) || blocked.has(name)) continue;
    seen.add(name);
    queue.push(...(edges.get(name) ?? []));
  }
  return seen;
}
