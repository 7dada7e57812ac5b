import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  authenticateWebhook,
  signWebhook,
  tokenMatches,
  verifySignature,
  WebhookAuthError,
} from '../../lib/services/webhook-auth.js';

const KEY = `whsec_${randomBytes(32).toString('base64')}`;
const OTHER_KEY = `whsec_${randomBytes(32).toString('base64')}`;
const NOW = 1_760_000_000;
const BODY = '{"object_kind":"issue"}';

function signedHeaders(key = KEY, timestamp = NOW, body = BODY): Record<string, string> {
  const id = 'msg_2b1f';
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signWebhook(key, id, String(timestamp), body),
  };
}

function refusal(run: () => void): WebhookAuthError | undefined {
  try {
    run();
  } catch (err) {
    if (err instanceof WebhookAuthError) return err;
    throw err;
  }
  return undefined;
}

describe('secret token', () => {
  it('accepts the configured secret and refuses any other', () => {
    expect(tokenMatches('s3cret', ['s3cret'])).toBe(true);
    expect(tokenMatches('s3cre', ['s3cret'])).toBe(false);
    expect(tokenMatches('s3cret-and-more', ['s3cret'])).toBe(false);
    expect(tokenMatches(undefined, ['s3cret'])).toBe(false);
  });

  it('accepts both the old and the new secret while a secret is being rotated', () => {
    expect(tokenMatches('old', ['old', 'new'])).toBe(true);
    expect(tokenMatches('new', ['old', 'new'])).toBe(true);
    expect(tokenMatches('neither', ['old', 'new'])).toBe(false);
  });

  it('refuses every delivery when no secret and no signing key is configured', () => {
    const err = refusal(() =>
      authenticateWebhook({ 'x-gitlab-token': '' }, BODY, { secrets: [], signingKeys: [] }, NOW),
    );
    expect(err?.check).toBe('unconfigured');
  });

  it('says nothing about the secret in the refusal', () => {
    const err = refusal(() =>
      authenticateWebhook({ 'x-gitlab-token': 'guess' }, BODY, { secrets: ['s3cret'], signingKeys: [] }, NOW),
    );
    expect(err?.message).toBe('unauthorized');
    expect(JSON.stringify(err)).not.toContain('s3cret');
    expect(JSON.stringify(err)).not.toContain('guess');
  });
});

describe('Standard Webhooks signature', () => {
  it('accepts a delivery signed with the configured key', () => {
    expect(() => verifySignature(headersOf(signedHeaders()), BODY, [KEY], NOW)).not.toThrow();
  });

  it('refuses a body changed after signing', () => {
    const err = refusal(() => verifySignature(headersOf(signedHeaders()), `${BODY} `, [KEY], NOW));
    expect(err?.check).toBe('signature');
  });

  it('refuses a signature made with another key', () => {
    const err = refusal(() => verifySignature(headersOf(signedHeaders(OTHER_KEY)), BODY, [KEY], NOW));
    expect(err?.check).toBe('signature');
  });

  it('accepts when one of several space-separated signatures is valid', () => {
    const good = signedHeaders();
    const mixed = {
      ...good,
      'webhook-signature': `v1,AAAA ${signedHeaders(OTHER_KEY)['webhook-signature']} ${good['webhook-signature']}`,
    };
    expect(() => verifySignature(headersOf(mixed), BODY, [KEY], NOW)).not.toThrow();
  });

  it('refuses a timestamp more than five minutes off the clock, either way', () => {
    expect(
      refusal(() => verifySignature(headersOf(signedHeaders(KEY, NOW - 301)), BODY, [KEY], NOW))?.check,
    ).toBe('timestamp');
    expect(
      refusal(() => verifySignature(headersOf(signedHeaders(KEY, NOW + 301)), BODY, [KEY], NOW))?.check,
    ).toBe('timestamp');
    expect(() => verifySignature(headersOf(signedHeaders(KEY, NOW - 299)), BODY, [KEY], NOW)).not.toThrow();
  });

  it('refuses an unsigned delivery once a signing key is configured, even with the right token', () => {
    const err = refusal(() =>
      authenticateWebhook(
        { 'x-gitlab-token': 's3cret' },
        BODY,
        { secrets: ['s3cret'], signingKeys: [KEY] },
        NOW,
      ),
    );
    expect(err?.check).toBe('signature');
  });

  it('needs both the token and the signature when both are configured', () => {
    const settings = { secrets: ['s3cret'], signingKeys: [KEY] };
    expect(() =>
      authenticateWebhook({ ...signedHeaders(), 'x-gitlab-token': 's3cret' }, BODY, settings, NOW),
    ).not.toThrow();
    expect(
      refusal(() =>
        authenticateWebhook({ ...signedHeaders(), 'x-gitlab-token': 'nope' }, BODY, settings, NOW),
      )?.check,
    ).toBe('token');
  });

  it('signs HMAC-SHA256 over id.timestamp.body with the base64-decoded key, as v1,<base64>', () => {
    // An obviously fake key: 32 known bytes, never a real secret.
    const keyBytes = Buffer.from('secrel-test-signing-key-32bytes!');
    const key = `whsec_${keyBytes.toString('base64')}`;
    const expected = createHmac('sha256', keyBytes)
      .update('msg_test.1614265330.{"test": 1}')
      .digest('base64');
    expect(signWebhook(key, 'msg_test', '1614265330', '{"test": 1}')).toBe(`v1,${expected}`);
  });

  it('matches the signature the project fake GitLab computes', async () => {
    // The fake GitLab signs the way GitLab does; both sides must agree byte for byte.
    const fake = await import('../../lib/local/fakes/webhook-sender.js');
    const id = 'msg_1';
    expect(fake.signWebhook(KEY, id, NOW, BODY)).toBe(signWebhook(KEY, id, String(NOW), BODY));
  });
});

function headersOf(h: Record<string, string>) {
  return { id: h['webhook-id'], timestamp: h['webhook-timestamp'], signature: h['webhook-signature'] };
}
