import { randomUUID } from 'node:crypto';
import { afterEach, inject } from 'vitest';
import type { FakeIssue } from '../../lib/local/fakes/gitlab/state.js';
import { labelVulnerability, reportVulnerability as reportIssue } from '../../lib/local/rehearsal/beats.js';
import {
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
 * lead does (the rehearsal's own beats), which starts a release; returns the issue and the release's id.
 */
export async function reportVulnerability(
  w: RehearsalWorld,
  details: { readonly title: string; readonly description: string },
): Promise<{ vulnerability: FakeIssue; releaseId: string }> {
  const reported = reportIssue(w, details.title, details.description);
  await labelVulnerability(w, reported);
  const vulnerability = w.gitlab.issues.find(
    (issue) => issue.projectId === REHEARSAL_PROJECT.id && issue.iid === reported.iid,
  );
  if (!vulnerability) throw new Error(`the fake GitLab lost issue #${reported.iid}`);
  return { vulnerability, releaseId: reported.releaseId };
}
