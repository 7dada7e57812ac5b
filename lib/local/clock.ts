import { DateTime } from 'luxon';
import type { Clock } from '../ports.js';

/** Node's timers overflow above 2^31-1 ms (and then fire after 1 ms), so long sleeps go in slices. */
const MAX_TIMER_MS = 2_147_483_647;

/** Options for {@link ReleaseClock}. */
export interface ReleaseClockOptions {
  /** Release time at the clock's creation; real now when absent. */
  readonly start?: DateTime;
  /** How many times faster than real time the release clock runs (`SECREL_SPEED`); 1 when absent. */
  readonly speed?: number;
  /** Real time in epoch ms; `Date.now` when absent. Tests pass their own to step it by hand. */
  readonly realNow?: () => number;
}

/**
 * The release clock of local mode (DESIGN.md §8 `SECREL_SPEED`): release time runs `speed`
 * times faster than real time from the moment it is created. Waits, gate timeouts and every
 * handler's notion of now follow it, so a four-day release can be rehearsed in a minute.
 */
export class ReleaseClock implements Clock {
  /** Release-time seconds per real second. */
  readonly speed: number;
  private readonly startMs: number;
  private readonly realStartMs: number;
  private readonly realNow: () => number;

  constructor(options: ReleaseClockOptions = {}) {
    const speed = options.speed ?? 1;
    if (!Number.isFinite(speed) || speed <= 0)
      throw new RangeError('release clock speed must be a positive number');
    this.speed = speed;
    this.realNow = options.realNow ?? Date.now;
    this.realStartMs = this.realNow();
    this.startMs = options.start ? options.start.toMillis() : this.realStartMs;
  }

  /** Release time now, in UTC. */
  now(): DateTime {
    return this.fromReal(this.realNow());
  }

  /** The release time that corresponds to a real moment (epoch ms), e.g. an event's timestamp. */
  fromReal(realMs: number): DateTime {
    return DateTime.fromMillis(this.startMs + (realMs - this.realStartMs) * this.speed, { zone: 'utc' });
  }

  /** Resolves once release time reaches `moment` (at once if it has); rejects when `signal` aborts. */
  async sleepUntil(moment: DateTime, signal?: AbortSignal): Promise<void> {
    // Timers can fire a little early after the speed division; loop until the clock agrees.
    for (;;) {
      signal?.throwIfAborted();
      const releaseMs = moment.toMillis() - this.now().toMillis();
      if (releaseMs <= 0) return;
      await realSleep(Math.min(Math.ceil(releaseMs / this.speed), MAX_TIMER_MS), signal);
    }
  }

  /** Sleeps `seconds` of release time. */
  sleep(seconds: number, signal?: AbortSignal): Promise<void> {
    return this.sleepUntil(this.now().plus({ seconds }), signal);
  }
}

function realSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
