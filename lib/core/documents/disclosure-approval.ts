import type { SecrelConfig } from '../config.js';
import type { ReleaseState } from '../types/release.js';

/**
 * Approving a reporter's disclosure request on HackerOne has no documented customer API call, so
 * it is the security lead's manual task (`approve-disclosure`). Its notice links every report of
 * the release so the approval is one click away.
 */

/** The playbook task the security lead does by hand on HackerOne. */
export const APPROVE_DISCLOSURE_TASK = 'approve-disclosure';

/** A report's page on HackerOne, where a person approves its disclosure request. */
export function hackerOneReportUrl(reportId: string): string {
  return `https://hackerone.com/reports/${encodeURIComponent(reportId)}`;
}

/** The HackerOne reports of a release: config's, then those attached with `/secrel h1`, each once. */
export function releaseReports(state: ReleaseState, config: SecrelConfig): string[] {
  const configured = config.hackerone?.reports[state.id] ?? [];
  return [...new Set([...configured, ...(state.hackerOneReports ?? [])])];
}

/** Extra lines for a task's notice: the report links for the disclosure approval, nothing otherwise. */
export function taskNoticeLinks(taskId: string, reports: readonly string[]): string[] {
  if (taskId !== APPROVE_DISCLOSURE_TASK) return [];
  if (reports.length === 0) {
    return ['No HackerOne report is linked to this release (`/secrel h1 <id>` links one).'];
  }
  return [
    'Approve the disclosure request on each report:',
    ...reports.map((id) => `- ${hackerOneReportUrl(id)}`),
  ];
}
