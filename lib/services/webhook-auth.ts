import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Who may send webhooks (DESIGN.md §4.6): GitLab's secret token, and the Standard Webhooks
 * signature when a signing key is configured. Nothing here ever names a secret in an error.
 */

/** Raised when a delivery fails authentication. The message is generic on purpose. */
export class WebhookAuthError extends Error {
  override readonly name = 'WebhookAuthError';
  /** Which check failed, for logs; never the secret or the value received. */
  readonly check: 'token' | 'signature' | 'timestamp' | 'unconfigured';
  constructor(check: WebhookAuthError['check']) {
    super('unauthorized');
    this.check = check;
  }
}

/** Secrets a deployment accepts. Several tokens and keys allow rotation without downtime. */
export interface WebhookAuthSettings {
  /** Accepted `X-Gitlab-Token` values. */
  readonly secrets: readonly string[];
  /** Accepted `whsec_…` signing keys; when non-empty, every delivery must be signed. */
  readonly signingKeys: readonly string[];
  /** How far `webhook-timestamp` may be from the clock, in seconds. */
  readonly toleranceSeconds?: number;
}

/** Standard Webhooks' recommended tolerance: five minutes either side. */
export const DEFAULT_TOLERANCE_SECONDS = 5 * 60;

const SIGNING_KEY_PREFIX = 'whsec_';

function sha256(value: string | Buffer): Buffer {
  return createHash('sha256').update(value).digest();
}

/**
 * Compares two secrets in constant time. Both sides are hashed first so that neither the
 * length nor a common prefix leaks through timing.
 */
export function secretsEqual(received: string, expected: string): boolean {
  return timingSafeEqual(sha256(received), sha256(expected));
}

/** True when the received token matches any configured secret; every secret is compared. */
export function tokenMatches(received: string | undefined, secrets: readonly string[]): boolean {
  if (received === undefined) return false;
  let match = false;
  // No early exit: the time taken does not tell which secret (old or new) matched.
  for (const secret of secrets) match = secretsEqual(received, secret) || match;
  return match;
}

/** Decodes a `whsec_<base64>` key into its HMAC key bytes; throws when it is not one. */
export function decodeSigningKey(key: string): Buffer {
  if (!key.startsWith(SIGNING_KEY_PREFIX)) throw new Error('signing key must start with whsec_');
  const bytes = Buffer.from(key.slice(SIGNING_KEY_PREFIX.length), 'base64');
  if (bytes.length === 0) throw new Error('signing key is empty');
  return bytes;
}

/** Computes the Standard Webhooks signature `v1,<base64 HMAC-SHA256 of id.timestamp.body>`. */
export function signWebhook(key: string, id: string, timestamp: string, body: Buffer | string): string {
  const hmac = createHmac('sha256', decodeSigningKey(key));
  hmac.update(`${id}.${timestamp}.`);
  hmac.update(body);
  return `v1,${hmac.digest('base64')}`;
}

/** The three Standard Webhooks headers of a signed delivery. */
export interface SignatureHeaders {
  readonly id: string | undefined;
  readonly timestamp: string | undefined;
  readonly signature: string | undefined;
}

/**
 * Verifies a Standard Webhooks signature against any configured key. The header may carry
 * several space-separated signatures (the sender rotating keys); one valid `v1` is enough.
 * Throws {@link WebhookAuthError} on a missing, stale or wrong signature.
 */
export function verifySignature(
  headers: SignatureHeaders,
  body: Buffer | string,
  keys: readonly string[],
  nowSeconds: number,
  toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
): void {
  const { id, timestamp, signature } = headers;
  if (!id || !timestamp || !signature) throw new WebhookAuthError('signature');
  if (!/^\d{1,12}$/.test(timestamp)) throw new WebhookAuthError('timestamp');
  if (Math.abs(nowSeconds - Number(timestamp)) > toleranceSeconds) throw new WebhookAuthError('timestamp');
  const received = signature
    .split(' ')
    .filter((part) => part.startsWith('v1,'))
    .map((part) => sha256(part));
  let match = false;
  for (const key of keys) {
    const expected = sha256(signWebhook(key, id, timestamp, body));
    for (const candidate of received) match = timingSafeEqual(candidate, expected) || match;
  }
  if (!match) throw new WebhookAuthError('signature');
}

/**
 * Authenticates one delivery: the secret token when secrets are configured, and the signature
 * when signing keys are. With neither configured every delivery is refused (fail closed).
 */
export function authenticateWebhook(
  headers: Readonly<Record<string, string | undefined>>,
  body: Buffer | string,
  settings: WebhookAuthSettings,
  nowSeconds: number,
): void {
  if (settings.secrets.length === 0 && settings.signingKeys.length === 0) {
    throw new WebhookAuthError('unconfigured');
  }
  if (settings.secrets.length > 0 && !tokenMatches(headers['x-gitlab-token'], settings.secrets)) {
    throw new WebhookAuthError('token');
  }
  if (settings.signingKeys.length > 0) {
    verifySignature(
      {
        id: headers['webhook-id'],
        timestamp: headers['webhook-timestamp'],
        signature: headers['webhook-signature'],
      },
      body,
      settings.signingKeys,
      nowSeconds,
      settings.toleranceSeconds,
    );
  }
}
