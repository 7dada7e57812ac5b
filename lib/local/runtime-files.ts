import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import * as z from 'zod';

/**
 * What local mode keeps in its data folder besides DynamoDB's own files: the generated webhook
 * secret (so a clean clone starts without configuration) and where the release clock stood, so a
 * compressed-time release resumes at the release time it stopped at instead of jumping back.
 */

/** File holding the generated webhook secret (mode 0600). */
export const WEBHOOK_SECRET_FILE = 'webhook-secret';
/** File holding the release clock's last position. */
export const CLOCK_FILE = 'release-clock.json';

/** Where the webhook secrets come from and, when generated, the file that holds them. */
export interface WebhookSecretSource {
  readonly secrets: readonly string[];
  /** Set when the secret was generated or read from the data folder, not the environment. */
  readonly file?: string;
  readonly generated: boolean;
}

/** Creates the data folder (mode 0700: it holds a secret and the release state); returns its path. */
export function ensureDataDir(dataDir: string): string {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  return dataDir;
}

/**
 * The webhook secrets to accept: the environment's when set; otherwise the one stored in the data
 * folder, generated on first start. The secret is never printed, only the file's path.
 */
export function webhookSecretFor(dataDir: string, fromEnv: readonly string[]): WebhookSecretSource {
  if (fromEnv.length > 0) return { secrets: fromEnv, generated: false };
  const file = join(dataDir, WEBHOOK_SECRET_FILE);
  if (existsSync(file)) {
    const stored = readFileSync(file, 'utf8').trim();
    if (stored.length > 0) return { secrets: [stored], file, generated: false };
  }
  ensureDataDir(dataDir);
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  // writeFileSync's mode applies only to a new file; make sure an existing empty one is private too.
  chmodSync(file, 0o600);
  return { secrets: [secret], file, generated: true };
}

const clockFileSchema = z.object({ releaseNow: z.iso.datetime({ offset: true }) });

/** The release time the clock stood at when local mode last stopped, if recorded. */
export function readClockPosition(dataDir: string): DateTime | undefined {
  const file = join(dataDir, CLOCK_FILE);
  if (!existsSync(file)) return undefined;
  try {
    const parsed = clockFileSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
    const moment = DateTime.fromISO(parsed.releaseNow, { zone: 'utc' });
    return moment.isValid ? moment : undefined;
  } catch {
    // A damaged clock file only costs the resume point: the clock starts at real now.
    return undefined;
  }
}

/** Records where the release clock stands, for the next start. */
export function writeClockPosition(dataDir: string, releaseNow: DateTime): void {
  ensureDataDir(dataDir);
  // Written aside and renamed: a kill -9 mid-write leaves the previous position, never a torn file.
  const file = join(dataDir, CLOCK_FILE);
  writeFileSync(`${file}.tmp`, `${JSON.stringify({ releaseNow: releaseNow.toUTC().toISO() })}\n`);
  renameSync(`${file}.tmp`, file);
}
