import { randomUUID } from 'node:crypto';
import { afterEach, inject } from 'vitest';
import {
  REHEARSAL_PEOPLE,
  REHEARSAL_PROJECT,
  type RehearsalWorld,
  type RehearsalWorldOptions,
  startRehearsalWorld,
} from '../../lib/local/rehearsal/world.js';

/** Twice the rehearsal's speed: a release day in about 7.5 s, still ample for the people's beats. */
export const E2E_SPEED = 11_520;

/** What every world of a test file shares. */
export interface RehearsalWorldSettings {
  /** The release clock's speed (default {@link E2E_SPEED}; 1 is real time). */
  readonly speed?: number;
  /** Start of each table's name (default `e2e`); a random suffix keeps tables apart. */
  readonly tablePrefix?: string;
}

/**
 * For a test file that runs local mode: closes each test's rehearsal world after the test, and
 * returns how a test starts one on the shared DynamoDB Local with a table of its own (`extra`
 * adds options such as a notifier).
 */
export function useRehearsalWorld(
  settings: RehearsalWorldSettings = {},
): (
  extra?: Omit<RehearsalWorldOptions, 'dynamoEndpoint' | 'tableName' | 'speed'>,
) => Promise<RehearsalWorld> {
  let world: RehearsalWorld | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });
  return async (extra = {}) => {
    world = await startRehearsalWorld({
      dynamoEndpoint: inject('dynamoEndpoint'),
      tableName: `${settings.tablePrefix ?? 'e2e'}-${randomUUID()}`,
      speed: settings.speed ?? E2E_SPEED,
      ...extra,
    });
    return world;
  };
}

/**
 * Opens a confidential vulnerability issue in the rehearsal project and labels it as the security
 * lead does, which starts a release; returns the issue and the release's id.
 */
export async function reportVulnerability(
  w: RehearsalWorld,
  details: { readonly title: string; readonly description: string },
): Promise<{ vulnerability: ReturnType<RehearsalWorld['gitlab']['openIssue']>; releaseId: string }> {
  const vulnerability = w.gitlab.openIssue({ ...details, confidential: true });
  await w.gitlab.labelIssue(
    REHEARSAL_PROJECT.id,
    vulnerability.iid,
    'critical security release',
    REHEARSAL_PEOPLE['security lead'],
  );
  return { vulnerability, releaseId: `${REHEARSAL_PROJECT.id}-${vulnerability.iid}` };
}
