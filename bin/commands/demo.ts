import { readdir, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { RehearsalResult } from '../../lib/local/rehearsal/rehearsal-report.js';
import { EXIT_FAILURE, EXIT_OK, type Output, processOutput, readCommandLine, runCommand } from './args.js';
import { parseSpeed } from './serve.js';

/**
 * `secrel demo` (`npm run demo`): a rehearsal of a complete critical release with three affected
 * versions in compressed time, against a fake GitLab and version server, in a temporary data folder
 * on free ports. Never touches the user's data folder or a real GitLab.
 */

/** One line of `secrel --help`. */
export const summary = 'rehearse a whole critical release against a fake GitLab, in compressed time';

/** Exit code of `--fail-backport` when the publish gate held as it must: nothing was published. */
export const EXIT_PUBLICATION_HELD = 3;

const USAGE = `usage: secrel demo [--speed N] [--fail-backport]

Rehearses a critical security release for versions 17.5, 17.4 and 17.3: a fake GitLab plays the
people (merging MRs, passing pipelines, deployments, /secrel done), one task is done late so the
escalation shows. The four days take about a minute at the default speed.

options:
  --speed <n>        release clock speed, release seconds per real second (default 5760)
  --fail-backport    leave the 17.3 backport unmerged: the publish gate holds, nothing is published,
                     and the demo exits with code 3 after the Day four 23:59 cutoff
  -h, --help         print this help

exit codes: 0 the release reached Afterwards; 3 publication held (--fail-backport); 1 anything else.
`;

/** The closing summary: tasks on time or late, actions performed, the lessons-learned file. */
export function summaryText(result: RehearsalResult, failBackport: boolean): string {
  const counts = new Map<string, number>();
  for (const action of result.actions) {
    const kind = action.split(' ')[0] ?? action;
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  const lines = [
    '',
    `Summary of release ${result.releaseId}`,
    `  tasks done on time: ${result.tasks.onTime}`,
    `  tasks late:         ${result.tasks.late.length}${result.tasks.late.length > 0 ? ` (${result.tasks.late.join(', ')})` : ''}`,
    `  tasks waived:       ${result.tasks.waived}`,
    `  tasks still open:   ${result.tasks.open}`,
    `  actions performed:  ${result.actions.length}`,
    ...[...counts].map(([kind, n]) => `    ${kind}${n > 1 ? ` x${n}` : ''}`),
    `  publication:        ${result.published.pipelines} publish pipelines, ${result.published.versionEntries} version entries`,
    result.lessonsLearnedFile
      ? `  lessons learned:    ${result.lessonsLearnedFile}`
      : '  lessons learned:    not written (the release did not reach Afterwards)',
  ];
  if (result.outcome === 'afterwards') lines.push('', 'The release reached Afterwards.');
  else if (result.outcome === 'held' && failBackport) {
    lines.push(
      '',
      result.published.pipelines === 0 && result.published.versionEntries === 0
        ? 'PUBLICATION HELD: the 17.3 backport is not merged, so the publish gate stayed shut past the Day four 23:59 cutoff; nothing was published.'
        : 'ERROR: something was published although the publish gate should have held.',
    );
  } else lines.push('', `The rehearsal did not finish (outcome: ${result.outcome}).`);
  return `${lines.join('\n')}\n`;
}

/**
 * Removes what the rehearsal left in its temporary data folder (DynamoDB's files, the clock) but
 * the lessons-learned file whose path the summary printed; the folder goes too when nothing is kept.
 */
export async function tidyDataDir(dataDir: string, keep?: string): Promise<void> {
  const kept = keep ? basename(keep) : undefined;
  if (!kept || join(dataDir, kept) !== keep) {
    await rm(dataDir, { recursive: true, force: true });
    return;
  }
  const entries = await readdir(dataDir).catch(() => []);
  for (const entry of entries) {
    if (entry !== kept) await rm(join(dataDir, entry), { recursive: true, force: true });
  }
}

/** Runs `secrel demo`; returns the exit code. */
export async function run(argv: readonly string[], output: Output = processOutput): Promise<number> {
  return runCommand('demo', output, async () => {
    const line = readCommandLine(argv, output, USAGE, {
      speed: { type: 'string' },
      'fail-backport': { type: 'boolean', default: false },
    });
    if (!line) return EXIT_OK;
    const { values } = line;
    const { DEFAULT_REHEARSAL_SPEED, startRehearsalWorld } = await import(
      '../../lib/local/rehearsal/world.js'
    );
    const { playRelease } = await import('../../lib/local/rehearsal/play.js');
    const speed = values.speed === undefined ? DEFAULT_REHEARSAL_SPEED : parseSpeed('--speed', values.speed);
    const failBackport = values['fail-backport'];
    output.out(`starting the rehearsal (release clock ×${speed})…\n`);
    const world = await startRehearsalWorld({ speed, keepDataDir: true });
    let lessonsLearnedFile: string | undefined;
    const stop = (): void => {
      void world
        .close()
        .then(() => tidyDataDir(world.dataDir))
        .finally(() => process.exit(EXIT_FAILURE));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      output.out(`dashboard: ${world.runtime.url}/   (data in ${world.dataDir})\n\n`);
      const result = await playRelease(world, {
        failBackport,
        progress: (line) => output.out(`${line}\n`),
        onRelease: (id) => output.out(`dashboard for this release: ${world.runtime.url}/#/${id}\n`),
      });
      lessonsLearnedFile = result.lessonsLearnedFile;
      output.out(summaryText(result, failBackport));
      if (result.outcome === 'afterwards' && !failBackport) return EXIT_OK;
      if (result.outcome === 'held' && failBackport && result.published.pipelines === 0)
        return EXIT_PUBLICATION_HELD;
      return EXIT_FAILURE;
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      await world.close();
      await tidyDataDir(world.dataDir, lessonsLearnedFile);
    }
  });
}
