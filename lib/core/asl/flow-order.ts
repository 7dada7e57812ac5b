import type { AslState, AslStates } from './states.js';

/** The order states are written in, so the definition file reads top-down like the process. */

/** The states in the order the flow reaches them (then any left), nested machines too: the file reads top-down. */
export function inFlowOrder(start: string, states: AslStates): AslStates {
  const names: string[] = [];
  const queue = [start];
  for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
    const state = states[name];
    if (!state || names.includes(name)) continue;
    names.push(name);
    const catches = Array.isArray(state.Catch) ? state.Catch : [];
    const choices = Array.isArray(state.Choices) ? state.Choices : [];
    for (const target of [
      state.Next,
      ...choices.map((c) => nextOf(c)),
      state.Default,
      ...catches.map((c) => nextOf(c)),
    ]) {
      if (typeof target === 'string') queue.push(target);
    }
  }
  for (const name of Object.keys(states)) if (!names.includes(name)) names.push(name);
  const ordered: AslStates = {};
  for (const name of names) ordered[name] = nested(states[name] as AslState);
  return ordered;
}

function nextOf(value: unknown): unknown {
  return typeof value === 'object' && value !== null && 'Next' in value ? value.Next : undefined;
}

function nested(state: AslState): AslState {
  const machine = (m: unknown): AslState => {
    const { StartAt, States, ...rest } = m as { StartAt: string; States: AslStates };
    return { ...rest, StartAt, States: inFlowOrder(StartAt, States) } as unknown as AslState;
  };
  if (Array.isArray(state.Branches)) return { ...state, Branches: state.Branches.map(machine) };
  if (state.ItemProcessor) return { ...state, ItemProcessor: machine(state.ItemProcessor) };
  return state;
}
