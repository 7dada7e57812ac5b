import { existsSync, mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import type { ReleaseState } from '../../lib/core/types/release.js';
import { spellDuration } from '../../lib/local/dashboard/trouble.js';
import { startRehearsalWorld } from '../../lib/local/rehearsal/world.js';
import { scheduledRelease } from '../core/release-helpers.js';

const CHROMIUM = '/usr/bin/chromium';

describe('overdue durations', () => {
  it('read as people say them, never as a zero clock', () => {
    expect(spellDuration((3 * 60 + 12) * 60_000)).toBe('3 h 12 min');
    expect(spellDuration(26 * 3_600_000)).toBe('1 d 2 h');
    expect(spellDuration(5_000)).toBe('1 min');
  });
});

describe.skipIf(!existsSync(CHROMIUM))(
  'dashboard trouble first, in headless Chromium (skipped without /usr/bin/chromium)',
  () => {
    it('shows a failed step’s banner with its command, a refused claim and an overdue cutoff', {
      timeout: 120_000,
    }, async () => {
      const world = await startRehearsalWorld({
        speed: 1,
        dynamoEndpoint: inject('dynamoEndpoint'),
        tableName: `dashboard-trouble-${Date.now()}`,
      });
      const browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
      });
      try {
        // A release stored as ingress and the steps leave it: Day one three days ago, a build failed.
        const now = world.runtime.clock.now();
        const base = scheduledRelease('17.5');
        const state: ReleaseState = {
          ...base,
          id: '1-900',
          revision: 1,
          projectId: 1,
          projectPath: 'security/product',
          dayOne: now.minus({ days: 3 }).toISODate() ?? '',
          status: 'running',
          phase: 'day-three',
          gates: {
            'pipeline:build-packages@17.5': {
              status: 'failed',
              since: now.minus({ hours: 30 }).toISO() ?? '',
              failedAt: now.minus({ hours: 29 }).toISO() ?? '',
            },
          },
        };
        await world.runtime.deps.store.commit({
          state,
          timeline: [
            {
              at: state.createdAt,
              kind: 'command-refused',
              summary: '/secrel slip refused for @mallory',
              actor: 'mallory',
            },
          ],
        });
        const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
        await page.goto(`${world.runtime.url}/#/${state.id}`);
        await page.waitForSelector('#trouble [data-kind="failed-step"]', { timeout: 30_000 });
        const banner = (await page.locator('#trouble').textContent()) ?? '';
        expect(banner).toContain('Failed: pipeline:build-packages@17.5');
        expect(banner).toContain('/secrel retry build-packages@17.5');
        expect(banner).toContain('/secrel slip refused for @mallory');
        expect(banner).toMatch(/Day one: overdue by (\d+ d)?( ?\d+ h)?( ?\d+ min)? \(\d+ open\)/);
        expect(banner).not.toContain('00:00:00');
        // The banner comes before everything else of the release.
        const order = await page.evaluate(() => {
          const main = document.getElementById('release');
          return main ? Array.from(main.children, (el) => el.id || el.tagName.toLowerCase()).slice(0, 2) : [];
        });
        expect(order).toEqual(['h2', 'trouble']);
        mkdirSync('test-results', { recursive: true });
        await page.screenshot({ path: 'test-results/dashboard-trouble.png', fullPage: true });
      } finally {
        await browser.close();
        await world.close();
      }
    });
  },
);
