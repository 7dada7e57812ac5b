import { livingSection, replaceLivingSection } from '../core/documents/living-section.js';
import type { RuntimeDeps } from './types.js';

/**
 * Keeps secrel's section of the release issue description current (DESIGN.md §7). The section
 * is rendered from the stored release, so however many changes came before, one rewrite brings
 * it up to date; a rewrite that would change nothing is not sent. People's text around the
 * section is never overwritten: the issue is read again just before writing and, when it moved
 * in between, the section is placed into the newer text instead.
 */

/** What the rewrite needs. */
export type DescribeDeps = Pick<RuntimeDeps, 'store' | 'gitlab' | 'playbook' | 'config' | 'logger'>;

/** How often the read-compare-write is tried while people keep editing. */
export const DESCRIBE_ATTEMPTS = 4;

/** What a rewrite did. */
export type DescribeOutcome = 'written' | 'unchanged' | 'no-issue' | 'gave-up';

/** Rewrites in flight per release in this process: ingress's and the steps' never overlap. */
const inFlight = new Map<string, Promise<unknown>>();

/**
 * Rewrites the living section of the release's issue from its stored state. Rewrites of one
 * release in this process run one after the other, so two never race each other's check and write.
 */
export function rewriteLivingSection(deps: DescribeDeps, releaseId: string): Promise<DescribeOutcome> {
  const previous = inFlight.get(releaseId) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(() => rewriteOnce(deps, releaseId));
  inFlight.set(releaseId, next);
  const cleanup = () => {
    if (inFlight.get(releaseId) === next) inFlight.delete(releaseId);
  };
  next.then(cleanup, cleanup);
  return next;
}

async function rewriteOnce(deps: DescribeDeps, releaseId: string): Promise<DescribeOutcome> {
  const state = await deps.store.get(releaseId);
  const issue = state?.releaseIssue;
  if (state === undefined || issue === undefined) return 'no-issue';
  const section = livingSection({ state, playbook: deps.playbook, roles: deps.config.roles });
  let read = await deps.gitlab.getIssue(issue.projectId, issue.iid);
  for (let attempt = 0; attempt < DESCRIBE_ATTEMPTS; attempt++) {
    const next = replaceLivingSection(read.description, section);
    if (next === read.description) return 'unchanged';
    // GitLab has no conditional edit: compare right before writing, so a person's edit made
    // while the section was built is kept (the section goes into their newer text).
    const check = await deps.gitlab.getIssue(issue.projectId, issue.iid);
    if (check.updatedAt === read.updatedAt && check.description === read.description) {
      await deps.gitlab.editIssue(issue.projectId, issue.iid, { description: next });
      return 'written';
    }
    read = check;
  }
  deps.logger.warn('living description not rewritten: the issue kept changing', { releaseId });
  return 'gave-up';
}

/**
 * Rewrites the section and never fails the caller: the description is a view, and the next change
 * rewrites it anyway. Failures are logged by kind only.
 */
export async function refreshLivingSection(deps: DescribeDeps, releaseId: string): Promise<void> {
  try {
    await rewriteLivingSection(deps, releaseId);
  } catch (err) {
    deps.logger.warn('living description not rewritten', {
      releaseId,
      error: err instanceof Error ? err.name : 'unknown',
    });
  }
}
