import { expect } from 'vitest';

/**
 * The error `run` rejects with, asserted to be an `errorType`: the adapter tests' way to look at
 * how a call failed (status, transient, message).
 */
export async function failure<E extends Error>(
  errorType: abstract new (...args: never[]) => E,
  run: () => Promise<unknown>,
): Promise<E> {
  const error = await run().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(errorType);
  return error as E;
}
