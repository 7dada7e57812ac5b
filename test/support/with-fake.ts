import { afterAll, beforeAll, beforeEach } from 'vitest';

/** What the adapter tests need of a fake service: forget what happened, and stop. */
export interface ResettableFake {
  reset(): void;
  close(): Promise<void>;
}

/**
 * The adapter tests' setup: one fake service for the file (`start`), reset before each test and
 * then handed to `use`, where the test keeps it and builds a fresh client on it.
 */
export function withFake<F extends ResettableFake>(start: () => Promise<F>, use: (fake: F) => void): void {
  let fake: F | undefined;
  beforeAll(async () => {
    fake = await start();
  });
  afterAll(() => fake?.close());
  beforeEach(() => {
    if (!fake) throw new Error('the fake service did not start');
    fake.reset();
    use(fake);
  });
}
