import { existsSync, mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { playRelease } from '../../lib/local/rehearsal/play.js';
import { startRehearsalWorld } from '../../lib/local/rehearsal/world.js';

const CHROMIUM = '/usr/bin/chromium';

describe.skipIf(!existsSync(CHROMIUM))(
  'dashboard in headless Chromium (skipped when /usr/bin/chromium is absent)',
  () => {
    it('shows the three versions, the Day four cutoffs, and a task turning from open to done without a reload', {
      timeout: 180_000,
    }, async () => {
      const world = await startRehearsalWorld({
        speed: 4_000,
        dynamoEndpoint: inject('dynamoEndpoint'),
        tableName: `dashboard-${Date.now()}`,
      });
      const browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
      });
      let releaseId: string | undefined;
      const play = playRelease(world, { onRelease: (id) => (releaseId = id), timeoutMs: 150_000 });
      try {
        const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
        await page.goto(`${world.runtime.url}/`);
        await page.waitForSelector('[data-task="request-cve"][data-status="open"]', { timeout: 60_000 });
        // A marker that a reload would wipe.
        await page.evaluate(() => Object.assign(window, { secrelNoReload: true }));
        for (const version of ['17.5', '17.4', '17.3']) {
          await page.waitForSelector(`#matrix tr[data-version="${version}"]`, { timeout: 60_000 });
        }
        const dayFour = await page.locator('[data-phase="day-four-end"] .cutoff').textContent();
        expect(dayFour).toMatch(/^\d{4}-\d{2}-\d{2} 23:59 UTC$/);
        const dayFourNoon = await page.locator('[data-phase="day-four-noon"] .cutoff').textContent();
        expect(dayFourNoon).toMatch(/^\d{4}-\d{2}-\d{2} 12:00 UTC$/);
        await page.waitForSelector('[data-task="request-cve"][data-status="done"]', { timeout: 60_000 });
        expect(await page.evaluate(() => 'secrelNoReload' in window)).toBe(true);
        expect(await page.locator('[data-task="request-cve"]').textContent()).toContain('sec-lead');
        mkdirSync('test-results', { recursive: true });
        await page.screenshot({ path: 'test-results/dashboard.png', fullPage: true });
        expect(releaseId).toBeDefined();
      } finally {
        await browser.close();
        await world.close();
        await play.catch(() => undefined);
      }
    });
  },
);
