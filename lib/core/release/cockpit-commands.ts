import type { Command, CommandName } from '../commands.js';
import { allowedCommands } from '../permissions.js';
import type { CommandOutcome, CommandRun } from './command-reply.js';

/** What each command does, for `/secrel help`. */
const COMMAND_HELP: Readonly<Record<CommandName, string>> = {
  status: '`/secrel status`: where the release stands',
  done: '`/secrel done <task> [version]`: a task is done (or tick its box in the description)',
  waive: '`/secrel waive <task> [version] <reason>`: skip a task',
  versions: '`/secrel versions 17.5,17.4`: the affected versions',
  start: '`/secrel start YYYY-MM-DD`: Day one (UTC)',
  slip: '`/secrel slip <hours>`: move every cutoff still ahead',
  mr: '`/secrel mr !<iid>`: add a security merge request',
  abort: '`/secrel abort <reason>`: stop the release',
  retry: '`/secrel retry <task> [version]`: run again a step that failed for good',
  expedite:
    '`/secrel expedite <hours>`: after an embargo break, pull the remaining cutoffs in to now + hours',
  h1: '`/secrel h1 <report id>`: attach a HackerOne report',
  cve: '`/secrel cve CVE-YYYY-NNNN`: attach the CVE id',
  help: '`/secrel help`: this list',
};

/** `/secrel h1`, `/secrel cve` and `/secrel help`. */
export function runCockpitCommand(
  run: CommandRun,
  command: Extract<Command, { name: 'h1' | 'cve' | 'help' }>,
): CommandOutcome {
  const { state, actor, ctx, at } = run;
  switch (command.name) {
    case 'help': {
      const names = allowedCommands(actor, ctx.config, ctx.playbook);
      return {
        state,
        reply: `commands you (@${actor}) may run:\n\n${names.map((n) => `- ${COMMAND_HELP[n]}`).join('\n')}`,
        timeline: [],
      };
    }
    case 'h1': {
      const reports = state.hackerOneReports ?? [];
      if (reports.includes(command.reportId))
        return { state, reply: `HackerOne report ${command.reportId} was already attached.`, timeline: [] };
      return {
        state: { ...state, hackerOneReports: [...reports, command.reportId] },
        reply: `HackerOne report ${command.reportId} is attached; the disclosure follow-ups use it.`,
        timeline: [
          { at, kind: 'h1-attached', summary: `HackerOne report ${command.reportId} attached`, actor },
        ],
      };
    }
    case 'cve': {
      if (state.cveId === command.cveId)
        return { state, reply: `${command.cveId} was already attached.`, timeline: [] };
      return {
        state: { ...state, cveId: command.cveId },
        reply: `${command.cveId} is attached to this release${state.cveId ? ` (was ${state.cveId})` : ''}.`,
        timeline: [{ at, kind: 'cve-attached', summary: `${command.cveId} attached`, actor }],
      };
    }
  }
}
