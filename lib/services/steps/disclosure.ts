import { releaseReports } from '../../core/documents/disclosure-approval.js';
import { acknowledgementComment, hackerOneThanks, thanksComment } from '../../core/documents/follow-ups.js';
import { isoOf } from '../../core/moments.js';
import { provenPatchVersion } from '../../core/release/tag-proof.js';
import type { IssueRef } from '../../core/types/release.js';
import { type ActionPerformer, SKIPPED } from './context.js';

/**
 * Publication's version entries and the disclosure follow-ups: lift confidentiality, thank
 * reporters, update acknowledgements. Lifting confidentiality is safe to repeat; comments are not.
 * Approving disclosure on HackerOne is a manual task (no documented API call).
 */

/**
 * "Add version.gitlab.com entries" for one affected version, named by its full patch version
 * (`17.5.3`) when a tag or GitLab release proved one, else by the affected version (`17.5`);
 * repeatable: the server keys entries by version.
 */
export const addVersionEntry: ActionPerformer = async (ctx, parts) => {
  const server = ctx.deps.versionServer;
  const affected = ctx.version;
  if (!server || affected === undefined) return SKIPPED;
  const version = provenPatchVersion(ctx.state, affected) ?? affected;
  await parts.part(
    'entry',
    async () => {
      await server.addVersion({ version, security: true, releasedAt: isoOf(ctx.deps.clock.now()) });
      return undefined;
    },
    { repeatable: true },
  );
  return { outcome: 'done' };
};

/** "Remove confidentiality from disclosure issues": the vulnerability, release and mitigation issues. */
export const liftConfidentiality: ActionPerformer = async (ctx, parts) => {
  const { state } = ctx;
  const issues: [string, IssueRef | undefined][] = [
    ['vulnerability', state.vulnerabilityIssue],
    ['release', state.releaseIssue],
    ['mitigation', state.mitigationIssue],
  ];
  for (const [name, issue] of issues) {
    if (!issue) continue;
    await parts.part(
      name,
      async () => {
        await ctx.deps.gitlab.editIssue(issue.projectId, issue.iid, { confidential: false });
        return undefined;
      },
      { repeatable: true },
    );
  }
  return { outcome: 'done' };
};

/** The HackerOne reports of a release: config's defaults and those attached with `/secrel h1`. */
function reportsOf(ctx: Parameters<ActionPerformer>[0]): readonly string[] {
  return releaseReports(ctx.state, ctx.deps.config);
}

/** "Follow-up with disclosure reports to inform/thank security researchers". */
export const thankReporters: ActionPerformer = async (ctx, parts) => {
  const { deps, state } = ctx;
  const vulnerability = state.vulnerabilityIssue;
  await parts.part(
    'comment',
    async () =>
      (await deps.gitlab.createIssueNote(vulnerability.projectId, vulnerability.iid, thanksComment())).id,
  );
  const hackerone = deps.hackerone;
  if (hackerone) {
    for (const report of reportsOf(ctx)) {
      await parts.part(`hackerone:${report}`, async () => {
        await hackerone.comment(report, hackerOneThanks(vulnerability.url));
        return undefined;
      });
    }
  }
  return { outcome: 'done' };
};

/** "Update vulnerability acknowledgements": a comment on the configured acknowledgements issue. */
export const updateAcknowledgements: ActionPerformer = async (ctx, parts) => {
  const target = ctx.deps.config.acknowledgements;
  if (!target) return SKIPPED;
  const body = acknowledgementComment(ctx.state.vulnerabilityIssue.url, ctx.state.id);
  await parts.part(
    'comment',
    async () => (await ctx.deps.gitlab.createIssueNote(target.project, target.issueIid, body)).id,
  );
  return { outcome: 'done' };
};
