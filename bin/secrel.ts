#!/usr/bin/env tsx
import { readFileSync } from 'node:fs';
import { type CommandModule, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, firstLine } from './commands/args.js';

// The AWS SDK warns on every start that Node 20 support ends soon; `package.json` targets Node >= 20
// and the warning would bury the webhook URL a person must copy. Commands load the SDK only later,
// so setting it here, before any command module is imported, is early enough. An explicit setting wins.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/**
 * The `secrel` command line: a dispatcher over the subcommands in `bin/commands/`. Each is
 * loaded only when used, so `secrel plan` does not pay for what `secrel serve` imports.
 */

/** A subcommand: one line for `--help`, and how to load its module. */
interface CommandEntry {
  readonly summary: string;
  readonly load: () => Promise<CommandModule>;
}

// Adding a subcommand is one line here: its name, its summary, its module.
const COMMANDS: Readonly<Record<string, CommandEntry>> = {
  plan: {
    summary: 'print the schedule of a release: UTC cutoffs, tasks, owners',
    load: () => import('./commands/plan.js'),
  },
  serve: {
    summary: 'run local mode: webhooks, state machine, API and dashboard on one port',
    load: () => import('./commands/serve.js'),
  },
  demo: {
    summary: 'rehearse a whole critical release against a fake GitLab, in compressed time',
    load: () => import('./commands/demo.js'),
  },
  status: {
    summary: 'show a release from a running secrel: cutoffs, tasks, versions, gates',
    load: () => import('./commands/status.js'),
  },
  connect: {
    summary: 'set up and check the GitLab side: token, projects, users, branches, one webhook each',
    load: () => import('./commands/connect.js'),
  },
};

/** Usage of `secrel` itself, listing the subcommands. */
function usage(): string {
  const names = Object.keys(COMMANDS);
  const width = Math.max(...names.map((name) => name.length));
  const lines = names.map((name) => `  ${name.padEnd(width)}  ${COMMANDS[name]?.summary ?? ''}`);
  return `usage: secrel <command> [options]\n\ncommands:\n${lines.join('\n')}\n\nsecrel <command> --help shows a command's options; secrel --version prints the version.\n`;
}

/** secrel's version, from its package.json. */
function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version?: string;
  };
  return pkg.version ?? 'unknown';
}

/** Runs the command line (without `node` and the script path) and returns the exit code. */
async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    process.stderr.write(usage());
    return EXIT_USAGE;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return EXIT_OK;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    process.stdout.write(`secrel ${version()}\n`);
    return EXIT_OK;
  }
  const entry = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!entry) {
    process.stderr.write(
      `secrel: unknown command ${JSON.stringify(name.slice(0, 40))} (see secrel --help)\n`,
    );
    return EXIT_USAGE;
  }
  const command = await entry.load();
  return command.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    // Setting exitCode (not calling exit) lets stdout drain when it is a pipe.
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`secrel: ${firstLine(error)}\n`);
    process.exitCode = EXIT_FAILURE;
  },
);
