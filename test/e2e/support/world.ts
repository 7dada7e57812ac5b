import { randomUUID } from 'node:crypto';
import { afterEach, inject } from 'vitest';
import { type RehearsalWorld, startRehearsalWorld } from '../../../lib/local/rehearsal/world.js';

/** Twice the rehearsal's speed: a release day in about 7.5 s, still ample for the people's beats. */
export const E2E_SPEED = 11_520;

/**
 * For an e2e test file: closes each test's rehearsal world after the test, and returns how a test
 * starts one on the shared DynamoDB Local with a table of its own.
 */
export function useRehearsalWorld(): () => Promise<RehearsalWorld> {
  let world: RehearsalWorld | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });
  return async () => {
    world = await startRehearsalWorld({
      dynamoEndpoint: inject('dynamoEndpoint'),
      tableName: `e2e-${randomUUID()}`,
      speed: E2E_SPEED,
    });
    return world;
  };
}
