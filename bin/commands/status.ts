import * as z from 'zod';
import {
  EXIT_FAILURE,
  EXIT_OK,
  firstLine,
  type Output,
  processOutput,
  readCommandLine,
  runCommand,
} from './args.js';
import { localDataDir, localServerUrl } from './local-server.js';
import { type Column, renderTable } from './table.js';

/**
 * `secrel status`: the dashboard's facts in the terminal, read from a running server's API
 * (`GET /api/releases`, `GET /api/releases/:id`).
 */

/** One line of `secrel --help`. */
export const summary = 'show releases, cutoffs, tasks, versions and gates from a running secrel';

const USAGE = `usage: secrel status [release] [options]

Without a release id, lists the releases. With one, shows its schedule (UTC), the affected
versions by stage, the gates, its tasks by phase and the latest timeline entries.

options:
  --url <url>   the running secrel (default http://127.0.0.1:$PORT, else the address
                \`secrel serve\` recorded in $SECREL_DATA_DIR or .secrel/, else :3000)
  --json        print the API's JSON
  -h, --help    print this help
`;

const listSchema = z.object({
  releases: z.array(
    z.object({
      id: z.string(),
      status: z.string(),
      phase: z.string(),
      projectPath: z.string(),
      dayOne: z.string().optional(),
      versions: z.array(z.string()),
    }),
  ),
});

/** The parts of the release view the terminal shows (see `lib/local/dashboard/release-view.ts`). */
export const releaseViewSchema = z.object({
  id: z.string(),
  status: z.string(),
  phaseTitle: z.string(),
  projectPath: z.string(),
  dayOne: z.string().nullable(),
  slipHours: z.number(),
  versions: z.array(z.string()),
  now: z.string(),
  phases: z.array(z.object({ id: z.string(), title: z.string(), cutoff: z.string(), passed: z.boolean() })),
  nextCutoff: z.object({ title: z.string(), at: z.string() }).nullable(),
  tasks: z.array(
    z.object({
      key: z.string(),
      phase: z.string(),
      owners: z.array(z.string()),
      status: z.string(),
      by: z.string().optional(),
      due: z.string().nullable(),
      late: z.boolean(),
    }),
  ),
  matrix: z.array(
    z.object({
      version: z.string(),
      merged: z.boolean(),
      packagesBuilt: z.boolean(),
      validated: z.boolean(),
      published: z.boolean(),
    }),
  ),
  gates: z.array(z.object({ id: z.string(), status: z.string() })),
  timeline: z.array(z.object({ at: z.string(), kind: z.string(), summary: z.string() })),
  warnings: z.array(z.string()).default([]),
});

/** A release as `secrel status <id>` reads it. */
export type StatusView = z.infer<typeof releaseViewSchema>;

const minutes = (iso: string | null | undefined): string =>
  iso ? `${iso.replace('T', ' ').slice(0, 16)}Z` : '-';
const mark = (value: boolean): string => (value ? 'yes' : 'no');

/** The release as text: schedule, versions by stage, gates, tasks by phase, recent timeline. */
export function statusText(view: StatusView, timelineLines = 10): string {
  const out: string[] = [
    `Release ${view.id} (${view.projectPath})`,
    `  status ${view.status}, phase ${view.phaseTitle}, release clock ${minutes(view.now)}`,
    `  Day one ${view.dayOne ?? 'not set'}${view.slipHours ? `, slipped ${view.slipHours} h` : ''}; versions ${view.versions.join(', ') || 'not set'}`,
    view.nextCutoff
      ? `  next cutoff: ${view.nextCutoff.title} at ${minutes(view.nextCutoff.at)}`
      : '  no cutoff ahead',
    ...view.warnings.map((warning) => `  WARNING: ${warning}`),
    '',
    renderTable(
      [
        { header: 'PHASE', maxWidth: 28 },
        { header: 'CUTOFF (UTC)', maxWidth: 18 },
        { header: 'TASKS DONE', maxWidth: 10 },
      ],
      view.phases.map((p) => {
        const tasks = view.tasks.filter((t) => t.phase === p.id);
        const done = tasks.filter((t) => t.status !== 'open').length;
        return [
          `${p.title}${p.passed ? ' (passed)' : ''}`,
          minutes(p.cutoff || null),
          `${done}/${tasks.length}`,
        ];
      }),
    ),
  ];
  if (view.matrix.length > 0) {
    out.push(
      renderTable(
        ['VERSION', 'MR MERGED', 'PACKAGES BUILT', 'VALIDATED', 'PUBLISHED'].map((header) => ({
          header,
          maxWidth: 14,
        })),
        view.matrix.map((v) => [
          v.version,
          mark(v.merged),
          mark(v.packagesBuilt),
          mark(v.validated),
          mark(v.published),
        ]),
      ),
    );
  }
  if (view.gates.length > 0)
    out.push(`Gates: ${view.gates.map((g) => `${g.id} ${g.status}`).join(', ')}`, '');
  const open = view.tasks.filter((t) => t.status === 'open');
  const columns: Column[] = [
    { header: 'OPEN TASK', maxWidth: 32 },
    { header: 'OWNERS', maxWidth: 30 },
    { header: 'DUE (UTC)', maxWidth: 18 },
  ];
  out.push(
    open.length === 0
      ? 'No open tasks.\n'
      : renderTable(
          columns,
          open.map((t) => [`${t.key}${t.late ? ' (LATE)' : ''}`, t.owners.join(', '), minutes(t.due)]),
        ),
  );
  const recent = view.timeline.slice(-timelineLines);
  if (recent.length > 0) {
    out.push('Latest timeline:', ...recent.map((e) => `  ${minutes(e.at)}  ${e.kind}: ${e.summary}`), '');
  }
  return `${out.join('\n')}\n`;
}

/** Where to ask: `--url`, else `PORT`, else what `secrel serve` recorded in its data folder, else :3000. */
export function statusBaseUrl(
  url: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  cwd: string = process.cwd(),
): string {
  return (url ?? localServerUrl(env, localDataDir(undefined, env, cwd))).replace(/\/+$/, '');
}

/** True when nothing listens at the address (refused, unreachable), as opposed to a bad answer. */
function nothingAnswers(error: unknown): boolean {
  return error instanceof TypeError && error.message === 'fetch failed';
}

async function getJson(url: string): Promise<unknown> {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  if (res.status === 404) throw new Error(`${new URL(url).pathname}: not found`);
  if (!res.ok) throw new Error(`${new URL(url).pathname} answered ${res.status}`);
  return res.json();
}

/** Runs `secrel status`; returns the exit code. */
export async function run(argv: readonly string[], output: Output = processOutput): Promise<number> {
  return runCommand('status', output, async () => {
    const line = readCommandLine(
      argv,
      output,
      USAGE,
      {
        url: { type: 'string' },
        json: { type: 'boolean', default: false },
      },
      true,
    );
    if (!line) return EXIT_OK;
    const { values, positionals } = line;
    const base = statusBaseUrl(values.url, process.env);
    const [releaseId] = positionals;
    try {
      if (releaseId === undefined) {
        const list = listSchema.parse(await getJson(`${base}/api/releases`));
        if (values.json) output.out(`${JSON.stringify(list, null, 2)}\n`);
        else if (list.releases.length === 0) output.out('No releases yet.\n');
        else {
          output.out(
            renderTable(
              ['RELEASE', 'PROJECT', 'STATUS', 'PHASE', 'DAY ONE', 'VERSIONS'].map((header) => ({
                header,
                maxWidth: 24,
              })),
              list.releases.map((r) => [
                r.id,
                r.projectPath,
                r.status,
                r.phase,
                r.dayOne ?? '-',
                r.versions.join(', '),
              ]),
            ),
          );
        }
        return EXIT_OK;
      }
      const raw = await getJson(`${base}/api/releases/${encodeURIComponent(releaseId)}`);
      output.out(
        values.json ? `${JSON.stringify(raw, null, 2)}\n` : statusText(releaseViewSchema.parse(raw)),
      );
      return EXIT_OK;
    } catch (error) {
      if (nothingAnswers(error)) {
        output.err(
          `secrel status: nothing answers at ${base}. Start secrel with \`npm start\`, or point at a running one with --url <url>.\n`,
        );
        return EXIT_FAILURE;
      }
      output.err(`secrel status: cannot read ${base}: ${firstLine(error)}\n`);
      return EXIT_FAILURE;
    }
  });
}
