import type { SecrelConfig } from './config.js';
import type { IssueRef } from './types/release.js';

/**
 * The issues a merge request's text names, the ways GitLab links them (`#77` in the same project,
 * `group/project#77`, the issue's URL), as candidates for routing: an MR that references a
 * release's vulnerability or release issue is found through that issue's key, not by reading
 * every active release of the project. A superset of what `referencesIssue` accepts for the
 * configured projects; the release core still decides whether the reference counts.
 */

/** Most issues read from one MR text: a description listing hundreds of issues routes by the first ones. */
export const MAX_MENTIONED_ISSUES = 50;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Issues named in `text` (an MR title and description) from project `fromProjectId`. */
export function mentionedIssues(
  text: string,
  fromProjectId: number,
  config: Pick<SecrelConfig, 'gitlab' | 'projects'>,
  fromProjectPath?: string,
): IssueRef[] {
  const byPath = new Map(config.projects.map((p) => [p.path.toLowerCase(), p.id]));
  if (fromProjectPath) byPath.set(fromProjectPath.toLowerCase(), fromProjectId);
  const found = new Map<string, IssueRef>();
  const add = (projectId: number | undefined, iid: string | undefined): void => {
    const n = Number(iid);
    if (projectId === undefined || !Number.isSafeInteger(n) || n < 1) return;
    if (found.size < MAX_MENTIONED_ISSUES) found.set(`${projectId}:${n}`, { projectId, iid: n });
  };
  // `#77` (same project), not part of a word, a path, an MR (`!`) or an epic (`&`).
  for (const match of text.matchAll(/(?<![\w/#!&.-])#(\d{1,12})(?!\d)/g)) add(fromProjectId, match[1]);
  // `group/project#77`, paths compared case-insensitively as GitLab does.
  for (const match of text.matchAll(/(?<![\w/.-])([\w.-]+(?:\/[\w.-]+)+)#(\d{1,12})(?!\d)/g))
    add(byPath.get((match[1] ?? '').toLowerCase()), match[2]);
  // `<gitlab>/group/project/-/issues/77`.
  const base = escapeRegExp(config.gitlab.url.replace(/\/+$/, ''));
  for (const match of text.matchAll(
    new RegExp(`${base}/([\\w.-]+(?:/[\\w.-]+)+)/-/issues/(\\d{1,12})(?!\\d)`, 'gi'),
  ))
    add(byPath.get((match[1] ?? '').toLowerCase()), match[2]);
  return [...found.values()];
}
