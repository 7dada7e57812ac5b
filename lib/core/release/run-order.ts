import { millisOf } from '../moments.js';

/** Progress order of pipeline and deployment statuses, for events that carry the same timestamp. */
const STATUS_RANK: Readonly<Record<string, number>> = {
  created: 0,
  waiting_for_resource: 1,
  preparing: 2,
  pending: 3,
  scheduled: 3,
  manual: 4,
  running: 5,
  success: 6,
  failed: 6,
  canceled: 6,
  skipped: 6,
  blocked: 4,
};

/**
 * Whether an event is newer than what is stored. GitLab ids grow with creation, so a higher pipeline or
 * deployment id is the later run whatever the clocks say; for the same run, a later `updatedAt`, or the
 * same moment and further along (GitLab stamps pending and running with the creation time).
 */
export function isNewer(
  candidate: { readonly id: number; readonly updatedAt: string; readonly status: string },
  stored: { readonly id: number; readonly updatedAt: string; readonly status: string } | undefined,
): boolean {
  if (stored === undefined) return true;
  if (candidate.id !== stored.id) return candidate.id > stored.id;
  const delta = millisOf(candidate.updatedAt) - millisOf(stored.updatedAt);
  if (delta !== 0) return delta > 0;
  return (STATUS_RANK[candidate.status] ?? 0) > (STATUS_RANK[stored.status] ?? 0);
}
