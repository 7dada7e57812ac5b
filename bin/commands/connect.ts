import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadLocalSettings } from '../../lib/adapters/config/load.js';
import { GitLabSetupClient } from '../../lib/adapters/gitlab/setup-client.js';
import {
  hasErrors,
  problemLine,
  SECREL_HOOK_TRIGGERS,
  type SetupProblem,
} from '../../lib/core/setup/index.js';
import { WEBHOOK_SECRET_FILE } from '../../lib/local/runtime-files.js';
import type { GitLabSetupApi } from '../../lib/ports.js';
import {
  connectGitLab,
  type ProjectReport,
  type SetupReport,
} from '../../lib/services/gitlab-setup/index.js';
import {
  EXIT_FAILURE,
  EXIT_OK,
  firstLine,
  type Output,
  processOutput,
  readCommandLine,
  runCommand,
  UsageError,
} from './args.js';
import { localDataDir, localServerUrl } from './local-server.js';
import { renderTable } from './table.js';

/**
 * `secrel connect`: sets up and checks the GitLab side before a release needs it (issue #15).
 * The webhook secret is never printed.
 */

/** One line of `secrel --help`. */
export const summary = 'set up and check the GitLab side: token, projects, users, branches, one webhook each';

const USAGE = `usage: secrel connect [options]

Checks the GitLab token (its user, api scope), each configured project (it exists, the token's
user may create issues, branches, MRs, pipelines and notes, and manage webhooks), every username
in roles, and which branches the version pattern maps to which version. Then creates or repairs
exactly one secrel webhook per project (matched by URL; the nine triggers; SSL verification on)
and asks GitLab to send it a test delivery, reporting whether secrel received and accepted it.

options:
  --check             check only, change nothing; exit 1 with one line per problem
  --url <url>         the webhook URL GitLab must call (default: the running local secrel,
                      http://127.0.0.1:$PORT/webhooks/gitlab, else at the address secrel serve
                      recorded in the data folder; on AWS the stack's WebhookUrl output)
  --secret-arn <arn>  read the webhook secret from Secrets Manager with your AWS credentials
                      (on AWS: the stack's WebhookSecretArn output)
  --data-dir <dir>    local data folder holding the generated secret (default $SECREL_DATA_DIR or .secrel/)
  --insecure          turn SSL verification off on the hook (a local tunnel with a self-signed certificate)
  --skip-test         do not ask GitLab for a test delivery
  --json              print the report as JSON
  -h, --help          print this help

environment: SECREL_CONFIG, GITLAB_URL, GITLAB_TOKEN, SECREL_WEBHOOK_SECRET, SECREL_DATA_DIR, PORT.
The webhook secret comes from --secret-arn, else SECREL_WEBHOOK_SECRET, else the data folder's
webhook-secret file that secrel serve generates.
`;

/** How many triggers secrel's hook has, for `needs update (7/9 triggers)`. */
const HOOK_TRIGGER_COUNT = SECREL_HOOK_TRIGGERS.length;

/** Where the webhook must point: `--url`, else the running local server (which must answer). */
async function webhookUrlFor(
  url: string | undefined,
  env: NodeJS.ProcessEnv,
  dataDir: string,
): Promise<string> {
  if (url !== undefined) {
    try {
      const parsed = new URL(url);
      if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error('scheme');
    } catch {
      throw new UsageError(`--url: ${JSON.stringify(url.slice(0, 60))} is not an http(s) URL`);
    }
    return url;
  }
  const base = localServerUrl(env, dataDir);
  try {
    const res = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(3_000) });
    if (!res.ok) throw new Error(String(res.status));
  } catch {
    throw new UsageError(
      `no running secrel at ${base} (start secrel serve, set PORT, or pass --url with the URL GitLab can reach)`,
    );
  }
  return `${base}/webhooks/gitlab`;
}

/** The webhook secret: Secrets Manager, the environment, or the local data folder's file. */
async function webhookSecret(
  secretArn: string | undefined,
  env: NodeJS.ProcessEnv,
  dataDir: string,
): Promise<string> {
  if (secretArn !== undefined) {
    // Loaded only when asked for: local use does not pay for the AWS SDK.
    const { SecretsManagerSource } = await import('../../lib/adapters/secrets/index.js');
    try {
      return (await new SecretsManagerSource().read(secretArn)).trim();
    } catch (error) {
      throw new Error(`--secret-arn: ${firstLine(error)}; check your AWS credentials and region`);
    }
  }
  const fromEnv = (env.SECREL_WEBHOOK_SECRET ?? '')
    .split(',')
    .map((s) => s.trim())
    .find((s) => s.length > 0);
  if (fromEnv) return fromEnv;
  const file = join(dataDir, WEBHOOK_SECRET_FILE);
  const stored = existsSync(file) ? readFileSync(file, 'utf8').trim() : '';
  if (stored) return stored;
  throw new UsageError(
    `no webhook secret: set SECREL_WEBHOOK_SECRET, pass --secret-arn, or start secrel serve once (it writes ${file})`,
  );
}

const paint = (colour: boolean, code: string, text: string): string =>
  colour ? `\u001b[${code}m${text}\u001b[0m` : text;

function hookCell(project: ProjectReport): string {
  const { hook } = project;
  if (!project.found) return 'project not found';
  if (hook.action === 'not checked') return 'not checked';
  if (hook.action === 'missing') return 'missing';
  const lacks = hook.missingTriggers.length;
  if (hook.action === 'needs update')
    return `needs update (${HOOK_TRIGGER_COUNT - lacks}/${HOOK_TRIGGER_COUNT} triggers)`;
  const ssl = hook.sslVerification === false ? ', SSL verification off' : '';
  return `${hook.action}${hook.action === 'updated' && lacks > 0 ? ` (+${lacks} triggers)` : ''}${ssl}`;
}

function branchesCell(project: ProjectReport): string[] {
  const mapping = project.branches;
  if (!mapping) return ['-'];
  const seen = mapping.mapped.map((m) => `${m.branch} -> ${m.version}`);
  return [
    ...(seen.length > 0 ? seen : ['no version branch']),
    ...(mapping.missed.length > 0 ? [`missed: ${mapping.missed.join(', ')}`] : []),
  ];
}

/** The report as a person reads it: who the token is, a table per project, then the problems. */
export function connectText(report: SetupReport): string {
  const found = report.users.filter((u) => u.state === 'found').length;
  const lines = [
    report.tokenUser
      ? `GitLab ${report.gitlabUrl} as ${report.tokenUser}${report.tokenScopes ? ` (scopes ${report.tokenScopes.join(', ')})` : ''}`
      : `GitLab ${report.gitlabUrl}: token refused`,
    `users in roles: ${found}/${report.users.length} found`,
    '',
  ];
  if (report.projects.length > 0) {
    lines.push(
      renderTable(
        [
          { header: 'PROJECT', maxWidth: 32 },
          { header: 'HOOK', maxWidth: 30 },
          { header: 'TEST DELIVERY', maxWidth: 16 },
          { header: 'BRANCHES -> VERSIONS', maxWidth: 40 },
        ],
        report.projects.map((p) => [
          `${p.path} (${p.key})`,
          hookCell(p),
          // No colour inside the table: escape codes would count towards the column widths.
          p.test ? (p.test.received ? 'received' : 'not received') : '-',
          branchesCell(p),
        ]),
      ),
    );
  }
  return `${lines.join('\n')}\n`;
}

/** One line per problem, errors first (they are what fails the check). */
function problemsText(problems: readonly SetupProblem[], colour: boolean): string {
  const ordered = [
    ...problems.filter((p) => p.severity === 'error'),
    ...problems.filter((p) => p.severity !== 'error'),
  ];
  return ordered
    .map(
      (p) =>
        `${p.severity === 'error' ? paint(colour, '31', 'error') : paint(colour, '33', 'warning')} ${problemLine(p)}\n`,
    )
    .join('');
}

/** Runs `secrel connect`; returns the exit code. */
export async function run(argv: readonly string[], output: Output = processOutput): Promise<number> {
  return runCommand('connect', output, async () => {
    const line = readCommandLine(argv, output, USAGE, {
      check: { type: 'boolean', default: false },
      url: { type: 'string' },
      'secret-arn': { type: 'string' },
      'data-dir': { type: 'string' },
      insecure: { type: 'boolean', default: false },
      'skip-test': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    });
    if (!line) return EXIT_OK;
    const { values } = line;
    const env = process.env;
    const settings = loadLocalSettings(env);
    const dataDir = localDataDir(values['data-dir'], env);
    const webhookUrl = await webhookUrlFor(values.url, env, dataDir);
    const apply = !values.check;
    const secret = apply ? await webhookSecret(values['secret-arn'], env, dataDir) : undefined;
    const api: GitLabSetupApi = new GitLabSetupClient({
      host: settings.config.gitlab.url,
      token: settings.secrets.gitlabToken ?? '',
    });
    const report = await connectGitLab(settings.config, api, {
      webhookUrl,
      ...(secret !== undefined ? { secret } : {}),
      sslVerification: !values.insecure,
      apply,
      test: !values['skip-test'],
    });
    const ok = !hasErrors(report.problems);
    if (values.json) {
      output.out(
        `${JSON.stringify({ ok, mode: apply ? 'connect' : 'check', webhookUrl, ...report }, null, 2)}\n`,
      );
      return ok ? EXIT_OK : EXIT_FAILURE;
    }
    const colour = output === processOutput && process.stdout.isTTY === true && !env.NO_COLOR;
    output.out(connectText(report));
    if (report.problems.length > 0) output.err(problemsText(report.problems, colour));
    if (ok) output.out(`${paint(colour, '32', apply ? 'GitLab is connected.' : 'All checks hold.')}\n`);
    return ok ? EXIT_OK : EXIT_FAILURE;
  });
}
