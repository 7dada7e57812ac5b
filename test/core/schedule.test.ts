import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PLAYBOOK } from '../../lib/core/default-playbook.js';
import { isoOf } from '../../lib/core/moments.js';
import {
  computeSchedule,
  currentPhase,
  nextCutoff,
  parseDayOne,
  parseMoment,
  publicationCutoff,
  ScheduleInputError,
  secondsUntil,
  toIsoMinutes,
  windowOf,
} from '../../lib/core/schedule.js';
import type { Playbook } from '../../lib/core/types/playbook.js';
import type { Schedule } from '../../lib/core/types/release-schedule.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const RUNS = { numRuns: 2500 };
const DST_ZONES = ['America/New_York', 'Europe/Berlin', 'Australia/Lord_Howe', 'Asia/Kathmandu'] as const;

const utc = (iso: string): DateTime => DateTime.fromISO(iso, { zone: 'utc' });
const cutoffIso = (schedule: Schedule, phase: Parameters<typeof windowOf>[1]): string =>
  toIsoMinutes(windowOf(schedule, phase)!.cutoff);

/** A UTC date string between 1970 and 2100, often a year end, a new year or a leap day. */
const dayOneDate = fc.oneof(
  fc
    .date({
      min: new Date('1970-01-01T00:00:00Z'),
      max: new Date('2100-12-31T23:59:59Z'),
      noInvalidDate: true,
    })
    .map((d) => d.toISOString().slice(0, 10)),
  fc.integer({ min: 1970, max: 2100 }).map((year) => `${year}-12-31`),
  fc.integer({ min: 1970, max: 2100 }).map((year) => `${year}-01-01`),
  fc
    .integer({ min: 1970, max: 2100 })
    .filter((year) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0)
    .map((year) => `${year}-02-29`),
);

/**
 * A wall-clock time in a zone with DST (or an odd offset), often on the days clocks change
 * (March, April, September to November), including times that do not exist or occur twice.
 */
const zonedMoment = fc
  .record({
    zone: fc.constantFrom(...DST_ZONES),
    year: fc.integer({ min: 1971, max: 2099 }),
    month: fc.oneof(fc.constantFrom(3, 4, 9, 10, 11), fc.integer({ min: 1, max: 12 })),
    day: fc.integer({ min: 1, max: 28 }),
    hour: fc.integer({ min: 0, max: 23 }),
    minute: fc.constantFrom(0, 15, 30, 45, 59),
  })
  .map(({ zone, ...wall }) => DateTime.fromObject(wall, { zone }));

describe('parseDayOne', () => {
  it('reads YYYY-MM-DD as that date at 00:00 UTC', () => {
    const dayOne = parseDayOne('2026-12-01');
    expect(isoOf(dayOne)).toBe('2026-12-01T00:00:00.000Z');
    expect(dayOne.zoneName).toBe('UTC');
  });

  it('converts a timestamp with an offset to UTC before taking its date, never misreading it', () => {
    // 22:00 in New York on 1 December is already 2 December in UTC.
    expect(isoOf(parseDayOne('2026-12-01T22:00-05:00'))).toBe('2026-12-02T00:00:00.000Z');
    expect(isoOf(parseDayOne('2026-12-02T08:00+09:00'))).toBe('2026-12-01T00:00:00.000Z');
    expect(isoOf(parseDayOne('2026-12-01T23:59:59Z'))).toBe('2026-12-01T00:00:00.000Z');
  });

  it.each([
    ['', 'must be YYYY-MM-DD'],
    ['tomorrow', 'must be YYYY-MM-DD'],
    ['2026-02-29', 'is not a calendar date'],
    ['2026-13-01', 'is not a calendar date'],
    ['2026-12-01T10:00', 'has no Z or UTC offset'],
    ['2026-12-01T25:00Z', 'is not a valid moment'],
    ['01/12/2026', 'must be YYYY-MM-DD'],
    ['2026-12-01\nrm -rf', 'must be YYYY-MM-DD'],
  ])('refuses %j with a one-line ScheduleInputError', (input, reason) => {
    let caught: unknown;
    try {
      parseDayOne(input);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ScheduleInputError);
    const message = (caught as Error).message;
    expect(message).toContain(reason);
    expect(message).not.toContain('\n');
  });

  it('reads a timestamp given in any zone as the UTC date of that moment (property)', () => {
    fc.assert(
      fc.property(zonedMoment, (moment) => {
        const expected = new Date(moment.toMillis()).toISOString().slice(0, 10);
        const fromOffset = parseDayOne(moment.toISO()!);
        expect(fromOffset.toISODate()).toBe(expected);
        expect(fromOffset.toMillis()).toBe(parseDayOne(moment.toUTC().toISO()!).toMillis());
        expect(fromOffset.toMillis()).toBe(parseDayOne(expected).toMillis());
      }),
      RUNS,
    );
  });
});

describe('computeSchedule for the seed playbook', () => {
  it('puts Day four cutoffs of a release starting 2026-12-01 at 2026-12-04T12:00Z and 23:59Z', () => {
    const schedule = computeSchedule(DEFAULT_PLAYBOOK, parseDayOne('2026-12-01'));
    expect(cutoffIso(schedule, 'day-four-noon')).toBe('2026-12-04T12:00Z');
    expect(cutoffIso(schedule, 'day-four-end')).toBe('2026-12-04T23:59Z');
    expect(toIsoMinutes(publicationCutoff(schedule))).toBe('2026-12-04T23:59Z');
  });

  it('lists every phase in process order, First steps without a start', () => {
    const schedule = computeSchedule(DEFAULT_PLAYBOOK, parseDayOne('2026-12-01'));
    expect(schedule.phases.map((w) => w.phase)).toEqual(DEFAULT_PLAYBOOK.phases.map((p) => p.id));
    expect(schedule.phases[0]?.start).toBeNull();
    expect(cutoffIso(schedule, 'first-steps')).toBe('2026-12-01T00:00Z');
    expect(cutoffIso(schedule, 'day-one')).toBe('2026-12-01T23:59Z');
    expect(toIsoMinutes(windowOf(schedule, 'day-four-end')!.start!)).toBe('2026-12-04T12:00Z');
  });

  it('moves every start and cutoff by a slip of 6 hours', () => {
    const schedule = computeSchedule(DEFAULT_PLAYBOOK, parseDayOne('2026-12-01'), 6);
    expect(schedule.slipHours).toBe(6);
    expect(cutoffIso(schedule, 'day-four-noon')).toBe('2026-12-04T18:00Z');
    expect(cutoffIso(schedule, 'day-four-end')).toBe('2026-12-05T05:59Z');
    expect(toIsoMinutes(windowOf(schedule, 'day-one')!.start!)).toBe('2026-12-01T06:00Z');
  });

  it('keeps cutoffs strictly ordered and in UTC, and Day four at Day one + 3 at 12:00 and 23:59 (property)', () => {
    fc.assert(
      fc.property(dayOneDate, fc.integer({ min: -72, max: 240 }), (date, slip) => {
        const dayOne = parseDayOne(date);
        const schedule = computeSchedule(DEFAULT_PLAYBOOK, dayOne, slip);
        const cutoffs = schedule.phases.map((w) => w.cutoff);
        for (const [i, cutoff] of cutoffs.entries()) {
          expect(cutoff.isValid).toBe(true);
          expect(cutoff.zoneName).toBe('UTC');
          expect(cutoff.offset).toBe(0);
          if (i > 0) expect(cutoff.toMillis()).toBeGreaterThan(cutoffs[i - 1]!.toMillis());
        }
        // Independent oracle: epoch arithmetic from the date string, no luxon involved.
        const dayOneMillis = Date.parse(`${date}T00:00:00Z`);
        expect(dayOne.toMillis()).toBe(dayOneMillis);
        expect(windowOf(schedule, 'day-four-noon')!.cutoff.toMillis()).toBe(
          dayOneMillis + 3 * DAY + (12 + slip) * HOUR,
        );
        expect(windowOf(schedule, 'day-four-end')!.cutoff.toMillis()).toBe(
          dayOneMillis + 3 * DAY + (23 + slip) * HOUR + 59 * 60_000,
        );
      }),
      RUNS,
    );
  });

  it('shifts every start and cutoff by exactly N hours for a slip of N (property)', () => {
    fc.assert(
      fc.property(dayOneDate, fc.integer({ min: -1000, max: 1000 }), (date, slip) => {
        const dayOne = parseDayOne(date);
        const onTime = computeSchedule(DEFAULT_PLAYBOOK, dayOne);
        const slipped = computeSchedule(DEFAULT_PLAYBOOK, dayOne, slip);
        for (const [i, window] of slipped.phases.entries()) {
          const original = onTime.phases[i]!;
          expect(window.cutoff.toMillis() - original.cutoff.toMillis()).toBe(slip * HOUR);
          if (original.start) expect(window.start!.toMillis() - original.start.toMillis()).toBe(slip * HOUR);
          expect(window.cutoff.zoneName).toBe('UTC');
        }
      }),
      RUNS,
    );
  });

  it('gives the same schedule for a Day one given with an offset as for its UTC conversion (property)', () => {
    fc.assert(
      fc.property(zonedMoment, (moment) => {
        const fromOffset = computeSchedule(DEFAULT_PLAYBOOK, parseDayOne(moment.toISO()!));
        const fromUtc = computeSchedule(DEFAULT_PLAYBOOK, parseDayOne(moment.toUTC().toISO()!));
        expect(fromOffset.phases.map((w) => isoOf(w.cutoff))).toEqual(
          fromUtc.phases.map((w) => isoOf(w.cutoff)),
        );
      }),
      RUNS,
    );
  });

  it('takes the UTC date of a Day one DateTime given in another zone', () => {
    const berlinMidnight = DateTime.fromISO('2026-12-02T00:00', { zone: 'Europe/Berlin' });
    const schedule = computeSchedule(DEFAULT_PLAYBOOK, berlinMidnight);
    expect(isoOf(schedule.dayOne)).toBe('2026-12-01T00:00:00.000Z');
  });

  it('refuses a fractional slip and an invalid Day one', () => {
    expect(() => computeSchedule(DEFAULT_PLAYBOOK, parseDayOne('2026-12-01'), 1.5)).toThrow(
      ScheduleInputError,
    );
    expect(() => computeSchedule(DEFAULT_PLAYBOOK, DateTime.invalid('test'))).toThrow(ScheduleInputError);
  });

  it('refuses a playbook whose cutoffs go backwards', () => {
    const backwards: Playbook = {
      tasks: DEFAULT_PLAYBOOK.tasks,
      phases: DEFAULT_PLAYBOOK.phases.map((phase) =>
        phase.id === 'day-three' ? { ...phase, cutoff: { dayOffset: 1, time: '12:00' } } : phase,
      ),
    };
    expect(() => computeSchedule(backwards, parseDayOne('2026-12-01'))).toThrow(/day-three/);
  });
});

describe('where a release stands in its schedule', () => {
  const schedule = computeSchedule(DEFAULT_PLAYBOOK, parseDayOne('2026-12-01'));

  it('is in First steps before Day one, and in Day one from its first minute', () => {
    expect(currentPhase(schedule, utc('2026-11-28T09:00')).phase).toBe('first-steps');
    expect(currentPhase(schedule, utc('2026-12-01T00:00')).phase).toBe('day-one');
  });

  it('moves to Day four before 23:59 UTC at 12:00 on Day four', () => {
    expect(currentPhase(schedule, utc('2026-12-04T11:59')).phase).toBe('day-four-noon');
    expect(currentPhase(schedule, utc('2026-12-04T12:00')).phase).toBe('day-four-end');
  });

  it('keeps a phase current past its cutoff until the next one starts', () => {
    expect(currentPhase(schedule, utc('2026-12-01T23:59:30')).phase).toBe('day-one');
    expect(currentPhase(schedule, utc('2027-01-30T00:00')).phase).toBe('afterwards');
  });

  it('names the next cutoff strictly after now, and none once all have passed', () => {
    expect(nextCutoff(schedule, utc('2026-12-04T11:00'))?.phase).toBe('day-four-noon');
    const atNoon = nextCutoff(schedule, utc('2026-12-04T12:00'));
    expect(atNoon?.phase).toBe('day-four-end');
    expect(toIsoMinutes(atNoon!.at)).toBe('2026-12-04T23:59Z');
    expect(nextCutoff(schedule, utc('2027-01-30T00:00'))).toBeUndefined();
  });
});

describe('time helpers', () => {
  it('counts whole seconds until a moment, rounding up, and 0 once it has passed', () => {
    const cutoff = utc('2026-12-04T12:00');
    expect(secondsUntil(utc('2026-12-04T11:00'), cutoff)).toBe(3600);
    expect(secondsUntil(utc('2026-12-04T11:59:59.200'), cutoff)).toBe(1);
    expect(secondsUntil(cutoff, cutoff)).toBe(0);
    expect(secondsUntil(utc('2026-12-05T00:00'), cutoff)).toBe(0);
  });

  it('formats moments in UTC with Z: full ISO for machines, minutes for people', () => {
    const noonInBerlin = DateTime.fromISO('2026-12-04T13:00', { zone: 'Europe/Berlin' });
    expect(isoOf(noonInBerlin)).toBe('2026-12-04T12:00:00.000Z');
    expect(toIsoMinutes(noonInBerlin)).toBe('2026-12-04T12:00Z');
  });

  it('reads stored ISO moments only with an explicit zone', () => {
    expect(isoOf(parseMoment('2026-12-04T13:00+01:00'))).toBe('2026-12-04T12:00:00.000Z');
    expect(parseMoment('2026-12-04T12:00:00.000Z').zoneName).toBe('UTC');
    expect(() => parseMoment('2026-12-04T12:00')).toThrow(ScheduleInputError);
    expect(() => parseMoment('2026-12-04')).toThrow(ScheduleInputError);
  });
});
