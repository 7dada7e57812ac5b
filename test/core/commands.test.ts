import { describe, expect, it } from 'vitest';
import { MAX_SLIP_HOURS, parseCommand, parseCommands } from '../../lib/core/commands.js';
import { DEFAULT_PLAYBOOK } from '../../lib/core/default-playbook.js';
import { CommandError } from '../../lib/core/errors.js';

const parse = (line: string) => parseCommand(line, DEFAULT_PLAYBOOK);

/** The one-line reason a command is rejected with. */
function rejection(line: string): string {
  try {
    parse(line);
  } catch (error) {
    expect(error).toBeInstanceOf(CommandError);
    const message = (error as Error).message;
    expect(message).not.toContain('\n');
    return message;
  }
  throw new Error(`expected "${line}" to be rejected`);
}

describe('parsing /secrel commands', () => {
  it('reads status', () => {
    expect(parse('/secrel status')).toEqual({ name: 'status' });
  });

  it('reads done with a task, with task@version and with task version', () => {
    expect(parse('/secrel done request-cve')).toEqual({ name: 'done', taskId: 'request-cve' });
    expect(parse('/secrel done cherry-pick@17.5')).toEqual({
      name: 'done',
      taskId: 'cherry-pick',
      version: '17.5',
    });
    expect(parse('/secrel done cherry-pick 17.5')).toEqual({
      name: 'done',
      taskId: 'cherry-pick',
      version: '17.5',
    });
  });

  it('reads waive with a reason, with or without a version', () => {
    expect(parse('/secrel waive request-cve CVE already assigned by MITRE')).toEqual({
      name: 'waive',
      taskId: 'request-cve',
      reason: 'CVE already assigned by MITRE',
    });
    expect(parse('/secrel waive validate-all 17.3 covered by 17.4 tests')).toEqual({
      name: 'waive',
      taskId: 'validate-all',
      version: '17.3',
      reason: 'covered by 17.4 tests',
    });
    expect(parse('/secrel waive validate-all@17.3 2 people checked')).toMatchObject({
      version: '17.3',
      reason: '2 people checked',
    });
  });

  it('reads versions newest first, with or without spaces after commas', () => {
    expect(parse('/secrel versions 17.3,17.5,17.4')).toEqual({
      name: 'versions',
      versions: ['17.5', '17.4', '17.3'],
    });
    expect(parse('/secrel versions 17.5, 17.4')).toEqual({ name: 'versions', versions: ['17.5', '17.4'] });
    expect(parse('/secrel versions 17.5 17.4')).toEqual({ name: 'versions', versions: ['17.5', '17.4'] });
  });

  it('reads start, slip, mr and abort', () => {
    expect(parse('/secrel start 2026-12-01')).toEqual({ name: 'start', dayOne: '2026-12-01' });
    expect(parse('/secrel slip 24')).toEqual({ name: 'slip', hours: 24 });
    expect(parse('/secrel mr !123')).toEqual({ name: 'mr', iid: 123 });
    expect(parse('/secrel mr acme/product-ee!12')).toEqual({
      name: 'mr',
      iid: 12,
      projectPath: 'acme/product-ee',
    });
    expect(parse('/secrel abort fix is incomplete')).toEqual({ name: 'abort', reason: 'fix is incomplete' });
  });

  it('accepts the command word in any case', () => {
    expect(parse('/secrel STATUS')).toEqual({ name: 'status' });
  });
});

describe('rejecting commands with a clear one-line reason', () => {
  it('rejects an unknown command and suggests the closest', () => {
    expect(rejection('/secrel stauts')).toContain('did you mean "status"');
    expect(rejection('/secrel launch')).toContain('unknown command "launch"');
  });

  it('rejects an empty command', () => {
    expect(rejection('/secrel')).toContain('status |');
  });

  it('rejects an unknown task and suggests the closest task id', () => {
    expect(rejection('/secrel done reqest-cve')).toBe(
      'unknown task "reqest-cve"; did you mean "request-cve"?',
    );
    expect(rejection('/secrel waive no-such-thing because')).toContain('unknown task "no-such-thing"');
  });

  it('rejects versions that are not major.minor, and duplicates', () => {
    expect(rejection('/secrel versions 17.5,17')).toContain('"17" is not a version');
    expect(rejection('/secrel versions 17.5.1')).toContain('"17.5.1" is not a version');
    expect(rejection('/secrel versions 17.5,17.5')).toContain('once each');
    expect(rejection('/secrel versions')).toContain('needs a list');
    expect(rejection('/secrel done cherry-pick@17')).toContain('"17" is not a version');
    expect(rejection('/secrel done cherry-pick 17.5.1')).toContain('"17.5.1" is not a version');
  });

  it('rejects a malformed or impossible Day one', () => {
    expect(rejection('/secrel start 1/12/2026')).toContain('YYYY-MM-DD');
    expect(rejection('/secrel start 2026-02-30')).toBe('2026-02-30 is not a calendar date');
    expect(rejection('/secrel start')).toContain('YYYY-MM-DD');
  });

  it(`rejects slip hours that are not a whole number from -${MAX_SLIP_HOURS} to ${MAX_SLIP_HOURS}, or 0`, () => {
    expect(rejection('/secrel slip 0')).toContain('not 0');
    expect(rejection('/secrel slip 73')).toContain('from -72 to 72');
    expect(rejection('/secrel slip -73')).toContain('from -72 to 72');
    expect(rejection('/secrel slip 1.5')).toContain('whole hours');
    expect(rejection('/secrel slip --4')).toContain('whole hours');
    expect(rejection('/secrel slip')).toContain('whole hours');
    expect(parse('/secrel slip 72')).toEqual({ name: 'slip', hours: 72 });
    expect(parse('/secrel slip -12')).toEqual({ name: 'slip', hours: -12 });
  });

  it('rejects waive and abort without a reason', () => {
    expect(rejection('/secrel waive request-cve')).toContain('needs a reason');
    expect(rejection('/secrel waive cherry-pick@17.5')).toContain('needs a reason');
    expect(rejection('/secrel abort')).toContain('needs a reason');
  });

  it('rejects a malformed merge request reference and stray words after done', () => {
    expect(rejection('/secrel mr 123')).toContain('!<iid>');
    expect(rejection('/secrel mr !12 !13')).toContain('!<iid>');
    expect(rejection('/secrel done request-cve please')).toContain('unexpected "please"');
  });

  it('keeps echoed input short', () => {
    expect(rejection(`/secrel ${'x'.repeat(500)}`).length).toBeLessThan(250);
  });
});

describe('reading a comment', () => {
  it('reads only lines that start with /secrel, and each of them', () => {
    const body =
      'Looks good to me.\n/secrel done request-cve\n  /secrel status\nplease /secrel slip 4\n/secrelx status';
    const lines = parseCommands(body, DEFAULT_PLAYBOOK);
    expect(lines.map((l) => (l.ok ? l.command.name : 'error'))).toEqual(['done', 'status']);
  });

  it('reports a bad line without dropping the good ones', () => {
    const lines = parseCommands('/secrel slip 100\n/secrel status', DEFAULT_PLAYBOOK);
    expect(lines[0]?.ok).toBe(false);
    expect(lines[1]).toMatchObject({ ok: true, command: { name: 'status' } });
  });

  it('finds no command in an ordinary comment', () => {
    expect(parseCommands('We should ship on Tuesday.', DEFAULT_PLAYBOOK)).toEqual([]);
  });
});
