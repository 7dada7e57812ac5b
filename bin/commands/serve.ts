import { loadLocalSettings } from '../../lib/adapters/config/load.js';
import { HackerOneClient } from '../../lib/adapters/hackerone/client.js';
import type { SecrelConfig } from '../../lib/core/config.js';
import type { LocalRuntime } from '../../lib/local/runtime.js';
import { removeServerFile, writeServerFile } from '../../lib/local/server-file.js';
import type { HackerOne } from '../../lib/ports.js';
import {
  EXIT_FAILURE,
  EXIT_OK,
  type Output,
  processOutput,
  readCommandLine,
  runCommand,
  UsageError,
} from './args.js';
import { localDataDir } from './local-server.js';

/**
 * `secrel serve` (`npm start`): local mode in one process (DESIGN.md §8). Prints where GitLab must
 * send webhooks and how to set the hook up; never prints a secret, only where it is kept.
 */

/** One line of `secrel --help`. */
export const summary =
  'run local mode: DynamoDB Local, the state machine, webhooks, API and dashboard on one port';

const USAGE = `usage: secrel serve [options]

Runs secrel on this machine: DynamoDB Local (data in $SECREL_DATA_DIR/dynamodb), the state
machine on the release clock, POST /webhooks/gitlab, the API and the dashboard on one port.
Releases in flight resume where they were. Ctrl-C stops everything.

options:
  --port <n>        HTTP port (default $PORT or 3000)
  --host <addr>     interface to listen on (default 127.0.0.1)
  --data-dir <dir>  data folder (default $SECREL_DATA_DIR or .secrel/)
  -h, --help        print this help

environment: SECREL_CONFIG, SECREL_DATA_DIR, PORT, SECREL_WEBHOOK_SECRET, SECREL_SIGNING_KEY,
GITLAB_URL, GITLAB_TOKEN, SECREL_VERSION_SERVER_TOKEN, SECREL_HACKERONE_API_ID,
SECREL_HACKERONE_TOKEN, SECREL_SPEED (release clock speed, default 1).
`;

/** Reads a port number from an option or the environment. */
export function parsePort(option: string, value: string): number {
  const port = Number(value);
  if (!/^\d{1,5}$/.test(value.trim()) || port > 65_535) {
    throw new UsageError(`${option}: ${JSON.stringify(value.slice(0, 20))} is not a port number`);
  }
  return port;
}

/** Reads `SECREL_SPEED`: a positive number of release seconds per real second. */
export function parseSpeed(option: string, value: string): number {
  const speed = Number(value);
  if (!Number.isFinite(speed) || speed <= 0) {
    throw new UsageError(`${option}: ${JSON.stringify(value.slice(0, 20))} is not a positive number`);
  }
  return speed;
}

/**
 * HackerOne follow-ups in local mode: the config names the API, the environment holds the
 * credentials (`SECREL_HACKERONE_API_ID`, `SECREL_HACKERONE_TOKEN`). Without both, those tasks are
 * recorded as skipped, as on AWS.
 */
function hackerOneFor(config: SecrelConfig, env: NodeJS.ProcessEnv): { hackerone?: HackerOne } {
  const apiIdentifier = env.SECREL_HACKERONE_API_ID;
  const token = env.SECREL_HACKERONE_TOKEN;
  if (!config.hackerone || !apiIdentifier || !token) return {};
  return { hackerone: new HackerOneClient({ baseUrl: config.hackerone.url, apiIdentifier, token }) };
}

/** What `secrel serve` prints once it listens: the URLs and how to point GitLab at it. */
export function startupText(
  runtime: LocalRuntime,
  settings: { source: string; hasToken: boolean; speed: number; releaseLabel: string },
): string {
  const lines = [
    `secrel is running (config ${settings.source}, data in ${runtime.dataDir})`,
    `  dashboard     ${runtime.url}/`,
    `  API           ${runtime.url}/api/releases`,
    `  webhook URL   ${runtime.webhookUrl}`,
    '',
    'Set up GitLab: in each configured project, Settings > Webhooks > Add new webhook:',
    `  URL           ${runtime.webhookUrl} (GitLab must reach it: use a tunnel or a reachable host)`,
    runtime.webhookSecretFile
      ? `  Secret token  the contents of ${runtime.webhookSecretFile}${runtime.webhookSecretGenerated ? ' (generated now, mode 0600)' : ''}`
      : '  Secret token  the value of SECREL_WEBHOOK_SECRET',
    '  Triggers      Issues events, Confidential issues events, Merge request events, Pipeline events,',
    '                Comments, Confidential comments, Deployment events, Releases events, Tag push events',
    '',
  ];
  if (!settings.hasToken) {
    lines.push(
      'GITLAB_TOKEN is not set: every GitLab call will be refused (401) and reported as a permanent',
      'failure, so automated actions fail until you set a token with api scope and restart.',
      '',
    );
  }
  if (settings.speed !== 1)
    lines.push(`The release clock runs ${settings.speed} times faster than real time.`, '');
  if (runtime.resumed.length > 0)
    lines.push(`Resumed ${runtime.resumed.length} release(s) in flight: ${runtime.resumed.join(', ')}`, '');
  lines.push(
    `A release starts when a confidential issue gets the label "${settings.releaseLabel}".`,
    'To watch a whole release without GitLab, run: npm run demo',
    '',
    'Press Ctrl-C to stop.',
  );
  return `${lines.join('\n')}\n`;
}

/** The first stop signal, and a way to stop listening. */
interface StopSignals {
  readonly first: Promise<NodeJS.Signals>;
  dispose(): void;
}

/**
 * How long after the first signal a repeat still counts as the same Ctrl-C. The terminal sends
 * SIGINT to the whole foreground group, and `npm start` and `tsx` each pass it on to their child
 * as well, so one key press reaches this process two or three times within milliseconds.
 */
export const REPEAT_SIGNAL_WINDOW_MS = 1_000;

/**
 * Listens for SIGINT and SIGTERM until disposed. The first starts an orderly stop; a second one
 * (a person pressing Ctrl-C again, later than {@link REPEAT_SIGNAL_WINDOW_MS}) exits at once, and
 * DynamoDB Local is killed on the way out. Staying subscribed also tells DynamoDB Local's own
 * guard that the stop is handled here.
 */
function stopSignals(output: Output): StopSignals {
  let received: NodeJS.Signals | undefined;
  let receivedAt = 0;
  let resolveFirst: (signal: NodeJS.Signals) => void = () => {};
  const first = new Promise<NodeJS.Signals>((resolve) => {
    resolveFirst = resolve;
  });
  const on = (signal: NodeJS.Signals): void => {
    if (received && Date.now() - receivedAt < REPEAT_SIGNAL_WINDOW_MS) return;
    if (received) {
      output.err(`${signal} again: exiting without waiting for the executions to stop\n`);
      process.exit(EXIT_FAILURE);
    }
    received = signal;
    receivedAt = Date.now();
    resolveFirst(signal);
  };
  process.on('SIGINT', on);
  process.on('SIGTERM', on);
  return {
    first,
    dispose: () => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
    },
  };
}

/** Runs `secrel serve`; returns once stopped by a signal. */
export async function run(argv: readonly string[], output: Output = processOutput): Promise<number> {
  return runCommand('serve', output, async () => {
    const line = readCommandLine(argv, output, USAGE, {
      port: { type: 'string' },
      host: { type: 'string' },
      'data-dir': { type: 'string' },
    });
    if (!line) return EXIT_OK;
    const { values } = line;
    const env = process.env;
    const port = parsePort(values.port ? '--port' : 'PORT', values.port ?? env.PORT ?? '3000');
    const speed = env.SECREL_SPEED ? parseSpeed('SECREL_SPEED', env.SECREL_SPEED) : 1;
    const dataDir = localDataDir(values['data-dir'], env);
    const settings = loadLocalSettings(env);
    // Loaded only now: `secrel serve --help` should not pay for the AWS SDK and the engine.
    const { startLocalRuntime } = await import('../../lib/local/runtime.js');
    const { createNotifier } = await import('../../lib/adapters/notify/index.js');
    output.out('starting DynamoDB Local and the state machine…\n');
    // Subscribed before DynamoDB Local starts, so a Ctrl-C during the start stops in order too.
    const signals = stopSignals(output);
    let runtime: LocalRuntime;
    try {
      runtime = await startLocalRuntime({
        config: settings.config,
        dataDir,
        webhookSecrets: settings.secrets.webhookSecrets,
        signingKeys: settings.secrets.signingKeys,
        ...(settings.secrets.gitlabToken ? { gitlabToken: settings.secrets.gitlabToken } : {}),
        ...(env.SECREL_VERSION_SERVER_TOKEN ? { versionServerToken: env.SECREL_VERSION_SERVER_TOKEN } : {}),
        ...hackerOneFor(settings.config, env),
        // The Slack webhook URL is a secret: from the environment, never from the config file.
        ...(env.SECREL_SLACK_WEBHOOK_URL
          ? { notifier: createNotifier({ webhookUrl: env.SECREL_SLACK_WEBHOOK_URL }) }
          : {}),
        speed,
        port,
        ...(values.host ? { host: values.host } : {}),
      });
    } catch (error) {
      signals.dispose();
      throw error;
    }
    writeServerFile(runtime.dataDir, runtime.url);
    output.out(
      startupText(runtime, {
        source: settings.source,
        hasToken: !!settings.secrets.gitlabToken,
        speed,
        releaseLabel: settings.config.releaseLabel,
      }),
    );
    const signal = await signals.first;
    output.out(`\n${signal}: stopping (releases in flight resume on the next start)…\n`);
    try {
      removeServerFile(runtime.dataDir);
      await runtime.stop();
    } finally {
      signals.dispose();
    }
    output.out('stopped.\n');
    return EXIT_OK;
  });
}
