import { describe, expect, it } from 'vitest';
import { toUtcIso } from '../../../lib/core/events/time.js';

describe('GitLab timestamps', () => {
  it.each([
    ['2013-12-03T17:23:34Z', '2013-12-03T17:23:34.000Z'],
    ['2013-12-03 17:23:34 UTC', '2013-12-03T17:23:34.000Z'],
    ['2021-04-28 21:50:00 +0200', '2021-04-28T19:50:00.000Z'],
    ['2012-01-03T23:36:29+02:00', '2012-01-03T21:36:29.000Z'],
    ['2019-06-05T14:32:20.211Z', '2019-06-05T14:32:20.211Z'],
    ['2013-12-03T17:23:34', '2013-12-03T17:23:34.000Z'],
  ])('normalizes %s to UTC ISO with Z', (text, iso) => {
    expect(toUtcIso(text)).toBe(iso);
  });

  it.each(['yesterday', '', '2015-04-08T21: 00:25-07:00', '2024-13-40 10:00:00 UTC'])(
    'refuses %j',
    (text) => {
      expect(toUtcIso(text)).toBeUndefined();
    },
  );

  it('writes times of the same width so later events sort after earlier ones as text', () => {
    const earlier = toUtcIso('2024-11-12 09:30:00 UTC')!;
    const later = toUtcIso('2024-11-12T09:30:00.500Z')!;
    expect(earlier < later).toBe(true);
  });
});
