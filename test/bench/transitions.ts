import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import * as z from 'zod';
import type { ExecutionStep } from '../../lib/local/engine/execution.js';
import { playRelease } from '../../lib/local/rehearsal/play.js';
import { startRehearsalWorld } from '../../lib/local/rehearsal/world.js';
import { record } from './results.js';
import type { SectionResult } from './run.js';

/**
 * State transitions of one complete three-version release (DESIGN.md §10: < 200, none while
 * waiting), counted by the local engine as Step Functions bills them (every entered state).
 *
 * "Transitions during waits": the history is split into lanes (the top level, each Parallel
 * branch, each Map iteration). In a lane, a waiting span opens when a Wait or a gate
 * (`.waitForTaskToken`) is entered and lasts while the lane stays in that wait's loop (the gate,
 * the reminder/escalation states its Catch leads to, and the gate again); it closes when the lane
 * enters any other state. A transition during a wait is an entered state of the loop whose
 * release-clock time is strictly after the span opened and strictly before it closed. Polling
 * would show here; the reminders and escalations at a missed cutoff show too (the rehearsal does
 * one task late on purpose), so those are reported apart.
 */

const ASL_PATH = 'statemachines/security-release.asl.json';
/** Issue #12: fewer than 100 per three-version release (DESIGN.md §10 allowed 200). */
const TRANSITION_GOAL = 100;
/** Issue #12: the rehearsal takes at most a minute. */
const REHEARSAL_GOAL_SECONDS = 60;

const stateSchema = z.looseObject({
  Type: z.string(),
  Resource: z.string().optional(),
  Next: z.string().optional(),
  Catch: z.array(z.looseObject({ Next: z.string() })).optional(),
  Branches: z.array(z.looseObject({ States: z.record(z.string(), z.unknown()) })).optional(),
  ItemProcessor: z.looseObject({ States: z.record(z.string(), z.unknown()) }).optional(),
  Iterator: z.looseObject({ States: z.record(z.string(), z.unknown()) }).optional(),
  Parameters: z.looseObject({ Payload: z.record(z.string(), z.unknown()).optional() }).optional(),
});
type AslState = z.infer<typeof stateSchema>;

/** Every state of the machine with the lane (branch path) it runs in. */
function collectStates(
  states: Record<string, unknown>,
  lane: string,
  into: Map<string, { state: AslState; lane: string }>,
): void {
  for (const [name, raw] of Object.entries(states)) {
    const state = stateSchema.parse(raw);
    into.set(name, { state, lane });
    state.Branches?.forEach((branch, i) => {
      collectStates(branch.States, `${lane}/${name}[${i}]`, into);
    });
    const inner = state.ItemProcessor ?? state.Iterator;
    if (inner) collectStates(inner.States, `${lane}/${name}[]`, into);
  }
}

function isGate(state: AslState): boolean {
  return state.Type === 'Task' && (state.Resource ?? '').endsWith('.waitForTaskToken');
}

/** The gate id a gate or step state is about (literal or per-version format). */
function gateIdOf(state: AslState | undefined): unknown {
  const payload = state?.Parameters?.Payload ?? {};
  return payload.gate ?? payload['gate.$'];
}

/**
 * The states of a wait's loop: the gate, its Catch handlers that lead back to a wait on the same
 * gate (reminder, escalation, re-timing), and those waits. A Catch that leaves the loop (a phase
 * start's timeout leading to the phase's work) ends the wait instead.
 */
function loopOf(name: string, states: ReadonlyMap<string, { state: AslState }>): Set<string> {
  const loop = new Set([name]);
  const queue = [name];
  const gate = gateIdOf(states.get(name)?.state);
  for (let next = queue.pop(); next !== undefined; next = queue.pop()) {
    const state = states.get(next)?.state;
    if (!state) continue;
    const targets = [...(state.Catch ?? []).map((c) => c.Next)];
    if (!isGate(state) && state.Type === 'Task' && state.Next) targets.push(state.Next);
    for (const target of targets) {
      const t = states.get(target)?.state;
      if (!t || loop.has(target) || t.Type !== 'Task' || gateIdOf(t) !== gate) continue;
      loop.add(target);
      queue.push(target);
    }
  }
  return loop;
}

/** Transitions strictly inside waiting spans, as defined in the module comment. */
export function transitionsDuringWaits(
  history: readonly ExecutionStep[],
  definition: Record<string, unknown>,
): ExecutionStep[] {
  const states = new Map<string, { state: AslState; lane: string }>();
  collectStates(definition, '', states);
  const lanes = new Map<string, ExecutionStep[]>();
  for (const step of history) {
    const lane = `${states.get(step.state)?.lane ?? '?'}#${step.iteration ?? ''}`;
    lanes.set(lane, [...(lanes.get(lane) ?? []), step]);
  }
  const inside: ExecutionStep[] = [];
  for (const steps of lanes.values()) {
    let span: { start: number; loop: Set<string>; members: ExecutionStep[] } | undefined;
    const close = (end: number) => {
      if (span) {
        const { start } = span;
        inside.push(...span.members.filter((m) => Date.parse(m.at) > start && Date.parse(m.at) < end));
      }
      span = undefined;
    };
    for (const step of steps) {
      const at = Date.parse(step.at);
      if (span?.loop.has(step.state)) {
        span.members.push(step);
        continue;
      }
      close(at);
      const state = states.get(step.state)?.state;
      if (state && (state.Type === 'Wait' || isGate(state))) {
        span = {
          start: at,
          loop: state.Type === 'Wait' ? new Set([step.state]) : loopOf(step.state, states),
          members: [],
        };
      }
    }
    close(Number.POSITIVE_INFINITY);
  }
  return inside;
}

/** `npm run bench transitions`: plays the rehearsal once and prints the figures. */
export async function runTransitionsBench(): Promise<SectionResult> {
  console.log('command: npm run bench transitions   (tsx test/bench/run.ts transitions)');
  const definition = z
    .looseObject({ States: z.record(z.string(), z.unknown()) })
    .parse(JSON.parse(readFileSync(ASL_PATH, 'utf8'))).States;
  // Wall time from nothing running (DynamoDB Local, fakes, engine start) to the release played.
  const started = performance.now();
  const world = await startRehearsalWorld({ tableName: `bench-${randomUUID()}` });
  try {
    const result = await playRelease(world);
    const seconds = (performance.now() - started) / 1000;
    const execution = world.runtime.workflow.describe(result.releaseId);
    if (!execution) throw new Error('the release never started an execution');
    const during = transitionsDuringWaits(execution.history, definition);
    const atCutoff = during.filter((s) => /: (escalate|remind owners)/.test(s.state));
    const reentries = during.filter((s) => s.state.endsWith('?'));
    const other = during.length - atCutoff.length - reentries.length;
    const held = result.outcome === 'afterwards' && execution.transitions < TRANSITION_GOAL;
    console.log(`release outcome: ${result.outcome}; execution ${execution.status}, run ${execution.run}`);
    console.log(`state transitions (entered states): ${execution.transitions}   goal < ${TRANSITION_GOAL}`);
    console.log(`  of which retries: ${execution.retries}`);
    console.log(`transitions during waits: ${during.length}   goal 0 apart from the cutoffs' own steps`);
    console.log(`  reminders/escalations at a missed cutoff: ${atCutoff.length}`);
    console.log(`  gate re-entries after them: ${reentries.length}`);
    console.log(`  anything else (polling): ${other}   goal 0`);
    for (const step of during) console.log(`  ${step.at}  ${step.state}`);
    console.log(`rehearsal wall time: ${seconds.toFixed(1)} s   goal <= ${REHEARSAL_GOAL_SECONDS} s`);
    const section = 'release (3 versions)';
    record({
      section,
      name: 'state transitions',
      value: execution.transitions,
      unit: '',
      goal: `< ${TRANSITION_GOAL}`,
      holds: execution.transitions < TRANSITION_GOAL,
      note: `outcome ${result.outcome}, ${execution.retries} retries`,
    });
    record({
      section,
      name: 'polling transitions during waits',
      value: other,
      unit: '',
      goal: '0',
      holds: other === 0,
    });
    record({
      section,
      name: 'rehearsal wall time',
      value: seconds,
      unit: 's',
      goal: `<= ${REHEARSAL_GOAL_SECONDS} s`,
      holds: seconds <= REHEARSAL_GOAL_SECONDS,
    });
    return { goalsHeld: held && other === 0, correct: result.outcome === 'afterwards' };
  } finally {
    await world.close();
  }
}
