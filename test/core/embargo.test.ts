import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PLAYBOOK } from '../../lib/core/default-playbook.js';
import { checkEmbargo, MAX_EMBARGO_DAYS } from '../../lib/core/embargo.js';
import { computeSchedule, parseDayOne, publicationCutoff } from '../../lib/core/schedule.js';

const utc = (iso: string): DateTime => DateTime.fromISO(iso, { zone: 'utc' });
const scheduleFrom = (dayOne: string, slipHours = 0) =>
  computeSchedule(DEFAULT_PLAYBOOK, parseDayOne(dayOne), slipHours);
const codes = (dayOne: string, startedAt: string, slipHours = 0) =>
  checkEmbargo(scheduleFrom(dayOne, slipHours), utc(startedAt)).map((w) => w.code);

describe('checkEmbargo', () => {
  it('has nothing to say about a Monday Day one with publication on Thursday, a week after first steps', () => {
    expect(codes('2026-11-30', '2026-11-23T10:00')).toEqual([]);
  });

  it('warns when publication falls on a Friday, Saturday or Sunday in UTC', () => {
    // Day one on a Tuesday publishes on Friday; Wednesday on Saturday; Thursday on Sunday.
    for (const dayOne of ['2026-12-01', '2026-12-02', '2026-12-03']) {
      expect(codes(dayOne, '2026-11-25T00:00')).toEqual(['publication-late-in-week']);
    }
    const [warning] = checkEmbargo(scheduleFrom('2026-12-01'), utc('2026-11-25T00:00'));
    expect(warning?.message).toBe(
      'publication 2026-12-04T23:59Z falls on a Friday (UTC): admins would patch over the weekend',
    );
  });

  it('judges the weekday in UTC after a slip, not the planned day', () => {
    // Monday Day one publishes Thursday 23:59; a one-hour slip pushes it into Friday.
    expect(codes('2026-11-30', '2026-11-25T00:00', 1)).toEqual(['publication-late-in-week']);
  });

  it('warns when the embargo from first steps to publication is longer than 14 days', () => {
    // Publication 2026-12-03T23:59Z; exactly 14 days before is fine, a minute more is not.
    expect(codes('2026-11-30', '2026-11-19T23:59')).toEqual([]);
    expect(codes('2026-11-30', '2026-11-19T23:58')).toEqual(['embargo-over-14-days']);
    const [warning] = checkEmbargo(scheduleFrom('2026-11-30'), utc('2026-11-01T00:00'));
    expect(warning?.message).toBe(
      'embargo of 32 days 23 h 59 min from 2026-11-01T00:00Z to publication 2026-12-03T23:59Z is longer than 14 days',
    );
    const [justOver] = checkEmbargo(scheduleFrom('2026-11-30'), utc('2026-11-19T23:58'));
    expect(justOver?.message).toContain('embargo of 14 days 1 min from');
  });

  it('warns when publication is not after the start', () => {
    expect(codes('2026-11-30', '2026-12-04T00:00')).toEqual(['publication-passed']);
  });

  it('warns about a long embargo exactly when it exceeds 14 days, whatever the dates (property)', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('1970-01-10T00:00:00Z'),
          max: new Date('2100-12-31T00:00:00Z'),
          noInvalidDate: true,
        }),
        fc.integer({ min: 1, max: 40 * 24 * 60 }),
        (date, minutesBefore) => {
          const schedule = computeSchedule(DEFAULT_PLAYBOOK, parseDayOne(date.toISOString().slice(0, 10)));
          const publication = publicationCutoff(schedule);
          const warnings = checkEmbargo(schedule, publication.minus({ minutes: minutesBefore })).map(
            (w) => w.code,
          );
          expect(warnings.includes('embargo-over-14-days')).toBe(minutesBefore > MAX_EMBARGO_DAYS * 24 * 60);
          expect(warnings.includes('publication-late-in-week')).toBe(publication.weekday >= 5);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
