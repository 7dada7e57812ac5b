import type { Command } from '../commands.js';
import { configuredProject } from '../config.js';
import { CommandError } from '../errors.js';
import type { MergeRequestState, ReleaseState } from '../types/release.js';
import type { CommandOutcome, CommandRun } from './command-reply.js';

/** `/secrel mr !<iid>`: an MR joins the release, or one it follows now counts as its version's fix. */
export function linkMergeRequest(run: CommandRun, command: Extract<Command, { name: 'mr' }>): CommandOutcome {
  const { state, actor, ctx, at, entry } = run;
  const project =
    command.projectPath === undefined
      ? configuredProject(ctx.config, state.projectId)
      : ctx.config.projects.find((p) => p.path.toLowerCase() === command.projectPath?.toLowerCase());
  if (project === undefined)
    throw new CommandError(`${command.projectPath ?? 'this project'} is not a configured project`);
  const key = `${project.id}!${command.iid}`;
  const linked = state.linkedMergeRequests ?? [];
  const known = state.mergeRequests[key];
  if (known !== undefined) return nameAsFix(state, key, known, actor, at);
  if (linked.includes(key)) {
    return { state, reply: `MR !${command.iid} is already part of this release.`, timeline: [] };
  }
  return {
    state: { ...state, linkedMergeRequests: [...linked, key] },
    reply: `MR !${command.iid} joins this release; secrel follows it from its next update.`,
    timeline: [entry('mr-linked', `MR !${command.iid} in project ${project.id} linked by @${actor}`)],
  };
}

/**
 * `/secrel mr` for an MR secrel already follows: it now counts as its version's fix, and names the
 * replacement when the version's counted MR was closed unmerged.
 */
function nameAsFix(
  state: ReleaseState,
  key: string,
  mr: MergeRequestState,
  actor: string,
  at: string,
): CommandOutcome {
  const waiting = state.replacementNeeded?.[mr.version] !== undefined;
  if (mr.countedVia !== undefined && !waiting) {
    return { state, reply: `MR !${mr.iid} is already part of this release.`, timeline: [] };
  }
  if (mr.state === 'closed') throw new CommandError(`MR !${mr.iid} is closed; it cannot be a fix`);
  const { [mr.version]: _named, ...replacementNeeded } = state.replacementNeeded ?? {};
  return {
    state: {
      ...state,
      mergeRequests: { ...state.mergeRequests, [key]: { ...mr, countedVia: 'command' } },
      replacementNeeded,
    },
    reply: `MR !${mr.iid} now counts as the fix for ${mr.version}.`,
    timeline: [
      {
        at,
        kind: 'mr-named',
        summary: `MR !${mr.iid} in project ${mr.projectId} named as a fix for ${mr.version} by @${actor}`,
        actor,
      },
    ],
  };
}
