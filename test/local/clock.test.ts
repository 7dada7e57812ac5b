import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { ReleaseClock } from '../../lib/local/clock.js';

const START = DateTime.fromISO('2026-12-01T00:00:00Z', { zone: 'utc' });

/** A real-time source the test moves by hand. */
function manualTime(startMs = 1_000_000) {
  let now = startMs;
  return { realNow: () => now, advance: (ms: number) => (now += ms) };
}

describe('ReleaseClock', () => {
  it('runs release time speed times faster than real time, from its start', () => {
    const real = manualTime();
    const clock = new ReleaseClock({ start: START, speed: 3600, realNow: real.realNow });
    expect(clock.now().toISO()).toBe('2026-12-01T00:00:00.000Z');
    real.advance(1000);
    expect(clock.now().toISO()).toBe('2026-12-01T01:00:00.000Z');
    real.advance(23_000);
    expect(clock.now().toISO()).toBe('2026-12-02T00:00:00.000Z');
  });

  it('gives times in UTC, and maps an event time in real ms to release time', () => {
    const real = manualTime(5_000);
    const clock = new ReleaseClock({ start: START, speed: 60, realNow: real.realNow });
    expect(clock.now().zoneName).toBe('UTC');
    expect(clock.fromReal(6_000).toISO()).toBe('2026-12-01T00:01:00.000Z');
  });

  it('refuses a speed that is not a positive number', () => {
    expect(() => new ReleaseClock({ speed: 0 })).toThrow(RangeError);
    expect(() => new ReleaseClock({ speed: Number.NaN })).toThrow(RangeError);
  });

  it('sleeps until a release moment and wakes no earlier', async () => {
    const clock = new ReleaseClock({ start: START, speed: 1_000_000 });
    const moment = START.plus({ hours: 6 });
    await clock.sleepUntil(moment);
    expect(clock.now() >= moment).toBe(true);
  });

  it('returns at once for a moment already passed', async () => {
    const real = manualTime();
    const clock = new ReleaseClock({ start: START, realNow: real.realNow });
    await clock.sleepUntil(START.minus({ days: 1 }));
    expect(clock.now().toISO()).toBe(START.toISO());
  });

  it('wakes early when its sleep is aborted', async () => {
    const clock = new ReleaseClock({ start: START, speed: 1 });
    const controller = new AbortController();
    const sleeping = clock.sleep(86_400, controller.signal);
    controller.abort(new Error('release stopped'));
    await expect(sleeping).rejects.toThrow('release stopped');
  });
});
