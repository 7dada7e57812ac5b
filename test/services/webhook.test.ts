import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '../../lib/ports.js';

import { handleWebhook } from '../../lib/services/webhook.js';
import { gitlabHeaders, ingressDeps, SECRET } from '../e2e/ingress-harness.js';
import { loadFixtureText } from '../fixtures/gitlab/index.js';

/** What ingress logs: kinds, statuses and reasons, never a title, a body or a token. */

describe('ingress logging', () => {
  const lines: string[] = [];
  const logger: Logger = {
    info: (m, f) => lines.push(JSON.stringify([m, f])),
    warn: (m, f) => lines.push(JSON.stringify([m, f])),
    error: (m, f) => lines.push(JSON.stringify([m, f])),
  };
  let deps: Awaited<ReturnType<typeof ingressDeps>>['deps'];
  beforeAll(async () => {
    deps = { ...(await ingressDeps()).deps, logger };
  });
  afterAll(() => {
    lines.length = 0;
  });

  it('never logs the confidential title, the description, the body or the secret', async () => {
    const issue = loadFixtureText('confidential-issue-labelled');
    const accepted = await handleWebhook(deps, {
      headers: gitlabHeaders('Confidential Issue Hook'),
      body: issue,
    });
    expect(accepted.status).toBe(200);
    const wrong = await handleWebhook(deps, {
      headers: gitlabHeaders('Confidential Issue Hook', { token: `${SECRET}x` }),
      body: issue,
    });
    expect(wrong.status).toBe(401);
    const broken = issue.replace('"iid": 77', '"iid": "[fake] Remote code execution"');
    expect(
      (await handleWebhook(deps, { headers: gitlabHeaders('Confidential Issue Hook'), body: broken })).status,
    ).toBe(400);
    const log = lines.join('\n');
    expect(lines.length).toBeGreaterThanOrEqual(3);
    expect(log).not.toContain('Remote code execution');
    expect(log).not.toContain('[fake report text]');
    expect(log).not.toContain(SECRET);
    expect(JSON.stringify(wrong.body)).not.toContain(SECRET);
  });

  it('checks the declared length before anything else', async () => {
    const res = await handleWebhook(deps, {
      headers: { ...gitlabHeaders('Merge Request Hook'), 'content-length': String(2 * 1024 * 1024) },
      body: '{}',
    });
    expect(res.status).toBe(413);
  });
});
