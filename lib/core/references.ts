/**
 * Whether a merge request's text references an issue the way GitLab links it: `#77` within the
 * same project, `group/project#77` from anywhere, or the issue's URL.
 */

/** An issue as MR text can reference it. */
export interface ReferencedIssue {
  readonly projectId: number;
  readonly iid: number;
  /** The issue project's full path (`acme/product`), when known. */
  readonly projectPath?: string;
  /** The issue's web URL, when known. */
  readonly url?: string;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The issue's URL from the GitLab base URL and its project path. */
export function issueUrl(gitlabUrl: string, projectPath: string, iid: number): string {
  return `${gitlabUrl.replace(/\/+$/, '')}/${projectPath}/-/issues/${iid}`;
}

/**
 * True when `text` (an MR title or description, from project `fromProjectId`) references the issue.
 * `#7` never matches `#77`, and `other/project#77` never counts as this project's `#77`.
 */
export function referencesIssue(
  text: string,
  issue: ReferencedIssue,
  fromProjectId: number,
  gitlabUrl: string,
): boolean {
  const iid = String(issue.iid);
  const patterns: RegExp[] = [];
  if (fromProjectId === issue.projectId) patterns.push(new RegExp(`(?<![\\w/#!&.-])#${iid}(?!\\d)`));
  if (issue.projectPath) {
    patterns.push(new RegExp(`(?<![\\w/.-])${escapeRegExp(issue.projectPath)}#${iid}(?!\\d)`, 'i'));
    patterns.push(
      new RegExp(`${escapeRegExp(issueUrl(gitlabUrl, issue.projectPath, issue.iid))}(?![\\d])`, 'i'),
    );
  }
  if (issue.url) patterns.push(new RegExp(`${escapeRegExp(issue.url)}(?![\\d])`, 'i'));
  return patterns.some((pattern) => pattern.test(text));
}
