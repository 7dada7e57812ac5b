import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Polls `probe` every 25 ms until it gives a value (not undefined, not false) and returns it;
 * throws `timed out waiting for <what>` after `ms`. For tests that watch local mode work.
 */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  ms = 20_000,
) {
  const until = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}
