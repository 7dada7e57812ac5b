import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import aslValidator from 'asl-validator';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PLAYBOOK } from '../../lib/core/default-playbook.js';
import { PHASE_IDS } from '../../lib/core/types/playbook.js';
import { actionRequestSchema, gateIdSchema } from '../../lib/core/types/workflow.js';
import { placeholder } from '../../lib/local/engine/definition.js';
import {
  ASL_PATH,
  type AslState,
  allStates,
  nestedMachines,
  reachable,
  readAsl,
  readMachine,
} from './asl.js';

const machine = readMachine();
const states = allStates(machine);
const entries = [...states.entries()];
const TITLES = DEFAULT_PLAYBOOK.phases.map((p) => p.title);
const D4 = 'Day four before 23:59 UTC';

const isGate = (s: AslState) => s.Resource === 'arn:aws:states:::lambda:invoke.waitForTaskToken';
const isAction = (s: AslState) => s.Resource === 'arn:aws:states:::lambda:invoke';
const payloadOf = (s: AslState) => s.Parameters?.Payload ?? {};
const gateOf = (s: AslState) => payloadOf(s).gate ?? payloadOf(s)['gate.$'];
const statesWhere = (test: (s: AslState) => boolean) => entries.filter(([, s]) => test(s)).map(([n]) => n);
const actionTask = (s: AslState) =>
  isAction(s) && payloadOf(s).step === 'action' ? payloadOf(s).task : undefined;
const stepOf = (s: AslState) => (isAction(s) ? payloadOf(s).step : undefined);

/** Sample values for the paths a payload reads, to check each payload against the protocol. */
function samplePayload(payload: Record<string, unknown>): Record<string, unknown> {
  const sample: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(payload)) {
    if (!key.endsWith('.$')) {
      sample[key] = value;
      continue;
    }
    const field = key.slice(0, -2);
    const text = String(value);
    const format = /^States\.Format\('([^']*)', \$\.version\)$/.exec(text);
    if (format) sample[field] = (format[1] ?? '').replace('{}', '17.5');
    else if (field === 'releaseId') sample[field] = '42-7';
    else if (field === 'version') sample[field] = '17.5';
    else if (field === 'error') sample[field] = 'Action.Failed';
    else if (field === 'gate' && text.includes("'merged:{}'")) sample[field] = 'merged:17.5';
    else if (field === 'token') sample[field] = 'token';
    else throw new Error(`no sample for ${key}`);
  }
  return sample;
}

describe('statemachines/security-release.asl.json', () => {
  it('is valid Amazon States Language (asl-validator)', () => {
    const { isValid, errorsText } = aslValidator(readAsl());
    expect(errorsText('\n')).toBe('');
    expect(isValid).toBe(true);
  });

  it('uses JSONPath only, never JSONata', () => {
    const text = readFileSync(ASL_PATH, 'utf8');
    expect(text).not.toMatch(/JSONata/i);
    expect(text).not.toContain('{%');
    expect(text).toContain('"QueryLanguage": "JSONPath"');
  });

  it('names every state after a heading of the process, and runs the phases in process order', () => {
    for (const name of states.keys()) {
      expect(
        TITLES.some((title) => name.startsWith(`${title}: `)),
        name,
      ).toBe(true);
    }
    const clock = states.get('First steps: run every phase on its clock');
    expect(clock?.Type).toBe('Parallel');
    const branchPhases = nestedMachines(clock ?? { Type: 'Pass' }).map((branch) =>
      TITLES.findIndex((t) => branch.StartAt.startsWith(`${t}: `)),
    );
    expect(branchPhases).toEqual(TITLES.map((_, i) => i));
  });

  it('starts every phase on its clock: no closed gate of another phase holds back its owners notice', () => {
    const waits = new Set(
      entries.filter(([, s]) => isGate(s) && String(gateOf(s)).startsWith('phase:')).map(([n]) => n),
    );
    const reached = reachable(machine, machine.StartAt, waits);
    for (const title of TITLES) expect(reached.has(`${title}: tell owners`), title).toBe(true);
  });

  it("builds a version's packages once that version's fix is merged, not when every version's is", () => {
    const map = states.get('Day three: build packages for each version');
    const [items] = nestedMachines(map ?? { Type: 'Pass' });
    const first = items?.States[items.StartAt];
    expect(first && gateOf(first)).toBe("States.Format('merged:{}', $.version)");
    expect(first?.Next).toBe('Day three: build packages');
    const blocked = new Set(['Day three: fix merged before build packages?']);
    expect(reachable(machine, machine.StartAt, blocked).has('Day three: build packages')).toBe(false);
  });

  it('calls only the actions and gate functions, through the two substitutions the CDK app provides', () => {
    const text = readFileSync(ASL_PATH, 'utf8');
    expect(new Set(text.match(/\$\{[^}]*\}/g))).toEqual(
      new Set([placeholder('actions'), placeholder('gate')]),
    );
    for (const [name, state] of entries.filter(([, s]) => s.Type === 'Task')) {
      const expected = isGate(state) ? placeholder('gate') : placeholder('actions');
      expect(isGate(state) || isAction(state), name).toBe(true);
      expect(state.Parameters?.FunctionName, name).toBe(expected);
      expect(payloadOf(state)['releaseId.$'], name).toBe('$.releaseId');
    }
  });

  it('sends every actions step a request the protocol schema accepts', () => {
    for (const [name, state] of entries.filter(([, s]) => isAction(s))) {
      const parsed = actionRequestSchema.safeParse(samplePayload(payloadOf(state)));
      expect(parsed.error?.message, name).toBeUndefined();
    }
  });

  it('keeps the state small: every actions step selects its result or discards it', () => {
    for (const [name, state] of entries.filter(([, s]) => isAction(s))) {
      if (state.ResultPath === null) continue;
      expect(state.ResultSelector, name).toBeDefined();
      expect(['$.timing', '$.schedule'], name).toContain(state.ResultPath);
    }
  });

  it('waits for every phase that has a start on a start gate timed to it, which a slip re-times', () => {
    expect(entries.filter(([, s]) => s.Type === 'Wait')).toEqual([]);
    for (const phase of DEFAULT_PLAYBOOK.phases.filter((p) => p.start !== null)) {
      const wait = states.get(`${phase.title}: wait for start`);
      expect(wait && isGate(wait), phase.id).toBe(true);
      expect(wait && gateOf(wait)).toBe(`start:${phase.id}`);
      expect(wait?.TimeoutSecondsPath).toBe('$.timing.secondsToCutoff');
      const onTimeout = wait?.Catch?.find((c) => c.ErrorEquals.includes('States.Timeout'));
      const next = states.get(onTimeout?.Next ?? '');
      expect(next && stepOf(next), phase.id).toMatch(/^(tell-owners|schedule)$/);
      const compute = states.get(`${phase.title}: compute start`);
      expect(compute && stepOf(compute)).toBe('deadlines');
      expect(compute?.Next).toBe(`${phase.title}: wait for start`);
    }
  });

  it('gives every gate a task token, a timeout to its cutoff, and a States.Timeout catch that escalates and waits again', () => {
    const gates = entries.filter(
      ([, s]) =>
        isGate(s) && !String(gateOf(s)).includes("'merged:") && !String(gateOf(s)).startsWith('start:'),
    );
    expect(gates.length).toBeGreaterThan(10);
    for (const [name, gate] of gates) {
      expect(payloadOf(gate)['token.$'], name).toBe('$$.Task.Token');
      expect(gate.TimeoutSecondsPath, name).toMatch(/^\$\.timing\.secondsTo(Cutoff|Reminder)$/);
      const onTimeout = gate.Catch?.find((c) => c.ErrorEquals.includes('States.Timeout'));
      expect(onTimeout, name).toBeDefined();
      expect(onTimeout?.ResultPath, name).toBeNull();
      const handler = states.get(onTimeout?.Next ?? '');
      expect(handler && ['escalate', 'remind'].includes(String(stepOf(handler))), name).toBe(true);
      expect(handler && gateOf(handler), name).toEqual(gateOf(gate));
      // The escalation (or reminder) leads back to a wait on the same gate: no polling loop.
      const back = states.get(handler?.Next ?? '');
      expect(back && isGate(back) && gateOf(back) === gateOf(gate), name).toBe(true);
      expect(handler?.ResultPath, name).toBe('$.timing');
    }
  });

  it('re-times every waiting gate when the schedule moves: Schedule.Moved re-reads its timing and waits again', () => {
    for (const [name, gate] of entries.filter(([, s]) => isGate(s) && s.TimeoutSecondsPath)) {
      const onMove = gate.Catch?.find((c) => c.ErrorEquals.includes('Schedule.Moved'));
      const handler = states.get(onMove?.Next ?? '');
      expect(handler && stepOf(handler), name).toBe('deadlines');
      expect(handler && gateOf(handler), name).toEqual(gateOf(gate));
      const back = states.get(handler?.Next ?? '');
      expect(back && isGate(back) && gateOf(back) === gateOf(gate), name).toBe(true);
    }
  });

  it('waits without a timeout only for a version fix, which the gate of its own phase escalates', () => {
    const quiet = entries.filter(([, s]) => isGate(s) && !s.TimeoutSecondsPath);
    expect(quiet.map(([, s]) => gateOf(s))).toEqual(["States.Format('merged:{}', $.version)"]);
  });

  it('waits on the gates the release core evaluates: schedule, every phase, publish, disclose and its pipelines', () => {
    const gateIds = new Set(entries.filter(([, s]) => isGate(s)).map(([, s]) => String(gateOf(s))));
    for (const phase of PHASE_IDS.filter((p) => p !== 'day-four-end' && p !== 'afterwards')) {
      expect(gateIds).toContain(`phase:${phase}`);
    }
    for (const gate of ['schedule-confirmed', 'publish', 'disclose', 'pipeline:build-test-packages']) {
      expect(gateIds).toContain(gate);
    }
    for (const gate of gateIds) {
      const id = gate.startsWith('States.Format') ? samplePayload({ 'gate.$': gate }).gate : gate;
      expect(gateIdSchema.safeParse(id).success, gate).toBe(true);
    }
  });

  it('retries transient errors with backoff on every Lambda call', () => {
    for (const [name, state] of entries.filter(([, s]) => s.Type === 'Task')) {
      const retrier = state.Retry?.find((r) => r.ErrorEquals.includes('Action.Transient'));
      expect(retrier?.ErrorEquals, name).toEqual(
        expect.arrayContaining(['Lambda.ServiceException', 'Lambda.TooManyRequestsException']),
      );
      expect(Number(retrier?.BackoffRate), name).toBeGreaterThan(1);
    }
  });

  it('publishes nothing unless the publish gate held (DESIGN.md §4.1)', () => {
    const publishing = statesWhere((s) => {
      const task = String(actionTask(s));
      return [
        'publish-packages',
        'publish-docker',
        'publish-code',
        'update-githost',
        'add-version-entries',
      ].includes(task);
    });
    expect(publishing.length).toBe(5);
    const withoutGate = reachable(machine, machine.StartAt, new Set([`${D4}: ready to publish?`]));
    expect(publishing.filter((n) => withoutGate.has(n))).toEqual([]);
  });

  it('discloses nothing unless the disclose gate held after publication (DESIGN.md §4.2)', () => {
    const disclosing = statesWhere((s) =>
      ['lift-confidentiality', 'thank-reporters', 'update-acknowledgements'].includes(String(actionTask(s))),
    );
    expect(disclosing.length).toBe(3);
    const withoutGate = reachable(machine, machine.StartAt, new Set([`${D4}: ready to disclose?`]));
    expect(disclosing.filter((n) => withoutGate.has(n))).toEqual([]);
    const afterPublish = reachable(machine, `${D4}: publish`, new Set([`${D4}: compute disclosure cutoff`]));
    expect(disclosing.filter((n) => afterPublish.has(n))).toEqual([]);
  });

  it('asks the security lead to approve disclosure on HackerOne by hand, never calls it, and only after the disclose gate', () => {
    expect(statesWhere((s) => actionTask(s) === 'approve-disclosure')).toEqual([]);
    const asking = statesWhere(
      (s) => stepOf(s) === 'ask-owners' && payloadOf(s).task === 'approve-disclosure',
    );
    expect(asking).toEqual([`${D4}: ask owners to approve disclosure`]);
    const withoutGate = reachable(machine, machine.StartAt, new Set([`${D4}: ready to disclose?`]));
    expect(asking.filter((n) => withoutGate.has(n))).toEqual([]);
  });

  it('catches a step that fails for good outside publication: one notice, then retry, done or waive', () => {
    const actions = entries.filter(([, s]) => isAction(s) && stepOf(s) === 'action');
    for (const [name, state] of actions) {
      const publishing = [
        'publish-packages',
        'publish-docker',
        'publish-code',
        'update-githost',
        'add-version-entries',
      ];
      const onFailure = state.Catch?.find((c) => c.ErrorEquals.includes('Action.Failed'));
      if (publishing.includes(String(actionTask(state)))) {
        // Only a failed publication stops the release, before any disclosure.
        expect(onFailure, name).toBeUndefined();
        continue;
      }
      const told = states.get(onFailure?.Next ?? '');
      expect(told && stepOf(told), name).toBe('step-failed');
      const wait = states.get(told?.Next ?? '');
      expect(wait && isGate(wait) && String(gateOf(wait)).includes('recover:'), name).toBe(true);
      const retry = wait?.Catch?.find((c) => c.ErrorEquals.includes('Step.Retry'));
      expect(retry?.Next, name).toBe(name);
      // Done or waived by hand: the release goes on where the action would have.
      const after = state.Next ?? (state.End ? 'end' : '');
      const pipelineWait = states.get(after);
      const goesOn = wait?.Next ?? (wait?.End ? 'end' : '');
      expect(pipelineWait && isGate(pipelineWait) ? (pipelineWait.Next ?? 'end') : after, name).toBe(goesOn);
    }
  });

  it('ends a failed publication in a Fail state, after telling the release managers, with no disclosure on the way', () => {
    const publish = states.get(`${D4}: publish`);
    expect(publish?.Type).toBe('Parallel');
    const named = publish?.Catch?.find((c) => c.ErrorEquals.includes('Action.Failed'));
    expect(named?.ErrorEquals).toContain('Pipeline.Failed');
    expect(publish?.Catch?.at(-1)?.ErrorEquals).toEqual(['States.ALL']);
    for (const catcher of publish?.Catch ?? []) {
      const path = [...reachable(machine, catcher.Next)];
      expect(path.map((n) => stepOf(states.get(n) ?? { Type: 'Pass' }))).toContain('publish-failed');
      expect(path.map((n) => states.get(n)?.Type)).toContain('Fail');
      expect(
        path.every(
          (n) =>
            states.get(n)?.Type === 'Fail' || stepOf(states.get(n) ?? { Type: 'Pass' }) === 'publish-failed',
        ),
      ).toBe(true);
    }
  });

  it('fans the builds and publication out over the affected versions from the schedule', () => {
    for (const name of ['Day three: build packages for each version', `${D4}: publish each version`]) {
      const map = states.get(name);
      expect(map?.Type, name).toBe('Map');
      expect(map?.ItemsPath, name).toBe('$.schedule.versions');
    }
  });
});

const seedDir = resolve(import.meta.dirname, '../../../shared/seed');

describe.skipIf(!existsSync(seedDir))(
  'state names and the seed headings (skipped when /work/shared/seed is absent)',
  () => {
    it('uses each heading of the seed process as a state-name prefix', () => {
      const seed = readFileSync(resolve(seedDir, '000_da4f4fa182cce746.txt'), 'utf8');
      const headings = [...seed.matchAll(/^### (.+?):?\s*$/gm)].map((m) =>
        (m[1] ?? '').replace(/[()]/g, '').trim(),
      );
      expect(headings).toEqual(TITLES);
      for (const heading of headings) {
        expect(
          [...states.keys()].some((name) => name.startsWith(`${heading}: `)),
          heading,
        ).toBe(true);
      }
    });
  },
);
