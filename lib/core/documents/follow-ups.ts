import type { IssueRef } from '../types/release.js';
import { issueLink } from './format.js';

/**
 * Short texts of the other automated actions: the mitigation issue, the draft MR, the thanks to
 * reporters and the acknowledgement. None quotes the vulnerability: they point at its issue.
 */

/** Title of the infrastructure mitigation issue. */
export function mitigationIssueTitle(releaseId: string): string {
  return `Mitigation for critical security release ${releaseId}`;
}

/** Body of the mitigation issue; the seed asks for the mitigation and its impact. */
export function mitigationIssueBody(vulnerability: string, releaseIssue?: string): string {
  return [
    `Mitigation for the vulnerability in ${vulnerability}${releaseIssue ? ` (release issue ${releaseIssue})` : ''}.`,
    '',
    '## Mitigation installed',
    '',
    '- GitLab.com:',
    '- GitHost.io:',
    '- Other vulnerable hosts:',
    '',
    '## Impact',
    '',
    '',
    'Close this issue once the mitigation is removed from every host (Day three); secrel sees it closed.',
  ].join('\n');
}

/** The patch branch secrel creates off the security branch. */
export function patchBranchName(vulnerabilityIid: number): string {
  return `security-fix-${vulnerabilityIid}`;
}

/** Title of the draft MR: it references the vulnerability issue so ingress links it to the release. */
export function draftMergeRequestTitle(vulnerabilityIid: number): string {
  return `Draft: security fix for #${vulnerabilityIid}`;
}

/** Description of the draft MR. */
export function draftMergeRequestDescription(vulnerabilityIid: number, releaseIssue?: IssueRef): string {
  return [
    `Security fix for #${vulnerabilityIid}.`,
    ...(releaseIssue ? [`Release issue: ${issueLink(releaseIssue)}`] : []),
    '',
    "Push the patch to this branch; backports go to each affected version's stable branch with an MR that references the same issue.",
  ].join('\n');
}

/** The thanks on the vulnerability issue once it is public. */
export function thanksComment(): string {
  return [
    'The fix for this vulnerability is released and this issue is now public.',
    '',
    'Thank you to everyone who reported it and helped us fix it.',
  ].join('\n');
}

/** The activity comment on a linked HackerOne report. */
export function hackerOneThanks(releaseUrl: string | undefined): string {
  return `The fix has been released${releaseUrl ? ` (${releaseUrl})` : ''}. Thank you for your report.`;
}

/** The comment on the acknowledgements issue. */
export function acknowledgementComment(vulnerabilityUrl: string | undefined, releaseId: string): string {
  return `Security release ${releaseId} is public${vulnerabilityUrl ? `: ${vulnerabilityUrl}` : ''}. Please add its reporters to the vulnerability acknowledgements.`;
}
