import { existsSync } from 'node:fs';
import { DateTime } from 'luxon';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReleaseView } from '../../lib/local/dashboard/release-view.js';
import { dashboardRoute } from '../../lib/local/dashboard/route.js';
import { type LocalHttpServer, startHttpServer } from '../../lib/local/http-server.js';
import { gitlabHeaders, ingressDeps } from '../e2e/ingress-harness.js';
import { loadFixture } from '../fixtures/gitlab/index.js';

const CHROMIUM = '/usr/bin/chromium';

/**
 * URLs in the dashboard come from webhook payloads, so they are links only when they are http(s): an
 * issue whose URL is `javascript:` shows as plain text. Headless Chromium, DynamoDB Local, ingress over HTTP.
 */
describe.skipIf(!existsSync(CHROMIUM))(
  'payload URLs in the dashboard (skipped when /usr/bin/chromium is absent)',
  () => {
    let server: LocalHttpServer;
    beforeAll(async () => {
      const parts = await ingressDeps();
      server = await startHttpServer({
        webhook: parts.deps,
        routes: [dashboardRoute()],
        releaseView: (state, timeline) => buildReleaseView(state, timeline, { now: () => DateTime.utc() }),
      });
      const body = loadFixture('confidential-issue-labelled') as Record<string, Record<string, unknown>>;
      if (body.object_attributes) body.object_attributes.url = 'javascript:alert(document.domain)';
      const res = await fetch(`${server.url}/webhooks/gitlab`, {
        method: 'POST',
        headers: gitlabHeaders('Confidential Issue Hook'),
        body: JSON.stringify(body),
      });
      expect(res.status).toBe(200);
    });
    afterAll(async () => {
      await server?.close();
    });

    it('shows a javascript: issue URL as text, never as a link', { timeout: 60_000 }, async () => {
      const browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
      });
      try {
        const page = await browser.newPage();
        await page.goto(`${server.url}/#/42-77`);
        await page.waitForSelector('text=Vulnerability issue', { timeout: 30_000 });
        expect(await page.locator('a[href^="javascript"]').count()).toBe(0);
        expect(await page.locator('p.muted', { hasText: 'Vulnerability issue' }).textContent()).toContain(
          '#77',
        );
      } finally {
        await browser.close();
      }
    });
  },
);
