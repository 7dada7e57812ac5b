import { describe, expect, it } from 'vitest';
import { parseHours, parseVersionList, UsageError } from '../../../bin/commands/args.js';
import { renderTable, wrap } from '../../../bin/commands/table.js';

describe('reading affected versions from the command line', () => {
  it('returns them newest first, comparing minors as numbers', () => {
    expect(parseVersionList('17.9,17.10, 16.11')).toEqual(['17.10', '17.9', '16.11']);
  });

  it('counts 17.05 and 17.5 as the same version, listed twice', () => {
    expect(() => parseVersionList('17.5,17.05')).toThrow('--versions: 17.5 is listed more than once');
  });

  it('refuses a patch version, a trailing comma and a word as usage errors', () => {
    for (const input of ['17.5.1', '17.5,', 'latest'])
      expect(() => parseVersionList(input)).toThrow(UsageError);
  });
});

describe('reading a slip in hours', () => {
  it('takes whole hours, negative to pull in, and refuses fractions', () => {
    expect(parseHours('--slip', '6')).toBe(6);
    expect(parseHours('--slip', '-2')).toBe(-2);
    expect(() => parseHours('--slip', '1.5')).toThrow('--slip: "1.5" is not a whole number of hours');
  });
});

describe('terminal tables', () => {
  it('wraps text between words, and cuts a word longer than the column', () => {
    expect(wrap('Publish latest security Docker images', 16)).toEqual([
      'Publish latest',
      'security Docker',
      'images',
    ]);
    expect(wrap('version.gitlab.com', 8)).toEqual(['version.', 'gitlab.c', 'om']);
  });

  it('lines up wrapped cells under their headers and keeps a blank line between groups', () => {
    const table = renderTable(
      [
        { header: 'TASK', maxWidth: 10 },
        { header: 'OWNERS', maxWidth: 20 },
      ],
      [['Deploy to staging', ['release managers']], null, ['Publish', ['packaging team', 'githost']]],
    );
    expect(table).toBe(
      [
        'TASK       OWNERS',
        'Deploy to  release managers',
        'staging',
        '',
        'Publish    packaging team',
        '           githost',
        '',
      ].join('\n'),
    );
  });
});
