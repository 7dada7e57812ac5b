import { describe, expect, it } from 'vitest';
import { buildDefinition } from '../../lib/core/asl/build.js';
import { RETRY_POLICY } from '../../lib/core/asl/retry.js';
import { DEFAULT_PLAYBOOK } from '../../lib/core/default-playbook.js';
import { aslFileIsCurrent } from '../../lib/local/asl-file.js';
import { allStates, readAsl, readMachine } from './asl.js';

describe('the ASL file is the builder output for the default playbook', () => {
  it('matches what the builder makes of the playbook (run `npm run asl` when this fails)', () => {
    expect(aslFileIsCurrent()).toBe(true);
    expect(readAsl()).toEqual(buildDefinition(DEFAULT_PLAYBOOK));
  });

  it('fails the comparison when the playbook and the file disagree', () => {
    const shorter = { ...DEFAULT_PLAYBOOK, phases: DEFAULT_PLAYBOOK.phases.slice(0, -1) };
    const tasks = DEFAULT_PLAYBOOK.tasks.filter((t) => t.phase !== 'afterwards');
    expect(aslFileIsCurrent({ phases: shorter.phases, tasks })).toBe(false);
  });

  it('uses the one Retry policy on every Task state', () => {
    for (const [name, state] of allStates(readMachine())) {
      if (state.Type === 'Task') expect(state.Retry, name).toEqual(RETRY_POLICY);
    }
  });
});

describe('the builder on team playbooks', () => {
  it('builds a valid machine for a playbook whose first phase opens at a time of its own', async () => {
    const { default: aslValidator } = await import('asl-validator');
    const [, dayOne, , , , dayFourEnd, afterwards] = DEFAULT_PLAYBOOK.phases;
    const phases = [dayOne, dayFourEnd, afterwards].filter((p) => p !== undefined);
    const tasks = DEFAULT_PLAYBOOK.tasks.filter((t) => phases.some((p) => p.id === t.phase));
    const definition = buildDefinition({ phases, tasks });
    const { isValid, errorsText } = aslValidator(definition);
    expect(errorsText('\n')).toBe('');
    expect(isValid).toBe(true);
    expect(definition.StartAt).toBe('Day one: compute confirmation cutoff');
  });

  it('refuses a playbook whose names would exceed what Step Functions accepts', () => {
    const [first, ...rest] = DEFAULT_PLAYBOOK.phases;
    if (!first) throw new Error('no phases');
    const long = { ...first, title: 'A first phase whose title goes on and on and on far beyond eighty' };
    expect(() => buildDefinition({ phases: [long, ...rest], tasks: DEFAULT_PLAYBOOK.tasks })).toThrow(
      /state name longer than 80/,
    );
  });
});
