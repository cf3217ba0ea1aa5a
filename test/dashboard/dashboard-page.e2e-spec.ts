import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { type Browser, chromium, type Page } from 'playwright-core';
import { dailyVisitorsKey, utcDaysEndingOn } from '@app/caching';
import { ServiceProcess } from '../support/service-process.js';
import { delay, waitUntil } from '../support/wait.js';
import { DASHBOARD_SEED_SCALE, DashboardScenario } from './dashboard-harness.js';
import { createTestRedis } from '../support/test-redis.js';

const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
// UPDATE_SCREENSHOTS=1 refreshes the committed docs/dashboard.png; otherwise a run leaves the work tree clean.
const SCREENSHOT = process.env.UPDATE_SCREENSHOTS
  ? fileURLToPath(new URL('../../../docs/dashboard.png', import.meta.url))
  : join(tmpdir(), `dashboard-${process.pid}.png`);

describe('dashboard page in headless Chromium', () => {
  let scenario: DashboardScenario;
  let users: ServiceProcess;
  let dashboard: ServiceProcess;
  let browser: Browser;
  let page: Page;
  const consoleErrors: string[] = [];

  const hitRatioOf = (service: string) => page.locator(`[data-service="${service}"] [data-figure="hit-ratio"]`);

  before(async () => {
    if (!existsSync(CHROMIUM_PATH)) {
      throw new Error(`Chromium not found at ${CHROMIUM_PATH}: install it (apt-get update && apt-get install -y chromium) or set CHROMIUM_PATH`);
    }
    scenario = await DashboardScenario.create('page', { seedScale: DASHBOARD_SEED_SCALE });
    const redis = createTestRedis();
    const days = utcDaysEndingOn(new Date(), 7);
    for (const [index, day] of days.entries()) {
      await redis.pfadd(dailyVisitorsKey(scenario.prefix, day), ...Array.from({ length: 300 + 100 * index }, (_, i) => `visitor-${index * 50 + i}`));
    }
    redis.disconnect();
    users = await ServiceProcess.start('users', { env: scenario.env() });
    dashboard = await ServiceProcess.start('dashboard', { env: scenario.env({ USERS_URL: users.url }) });
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(error.message));
  });

  after(async () => {
    await browser?.close();
    await Promise.all([dashboard?.stop(), users?.stop()]);
    await scenario?.close();
  });

  test('loads without console errors and shows the figures', async () => {
    await page.goto(dashboard.url);
    await page.locator('[data-figure="total-users"]').waitFor();
    assert.equal(await page.locator('[data-figure="total-users"]').textContent(), '1,000');
    await hitRatioOf('dashboard').waitFor();
    assert.match((await page.locator('#redis-status').textContent()) ?? '', /Redis up/);
    assert.notEqual(await page.locator('#warning-list li').count(), 0);
    assert.match((await page.locator('[data-figure="visitors-today"]').textContent()) ?? '', /^\d/);
    assert.deepEqual(consoleErrors, []);
  });

  test('the hit-ratio figures and chart move when traffic arrives', async () => {
    const before = await hitRatioOf('users').textContent();
    // Three rounds, each in its own 2 s poll window, so the charts get several points.
    for (let round = 0; round < 3; round++) {
      await Promise.all(Array.from({ length: 20 }, (_, i) => users.request(`/users/${1 + (i % 10)}`)));
      await Promise.all(Array.from({ length: 20 }, () => dashboard.request('/stats')));
      await delay(2_100);
    }
    const after = await waitUntil(async () => {
      const text = await hitRatioOf('users').textContent();
      return text !== null && text !== before && text;
    }, { timeoutMs: 6_000, what: 'the users hit-ratio figure to change' });
    assert.match(after, /^\d+\.\d %$/);
    await page.locator('#hit-chart circle[data-service="users"]').first().waitFor({ state: 'attached', timeout: 6_000 });
    await page.locator('#latency-chart circle[data-service="users"]').first().waitFor({ state: 'attached', timeout: 6_000 });
    assert.deepEqual(consoleErrors, []);

    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    assert.ok(existsSync(SCREENSHOT));
    if (!process.env.UPDATE_SCREENSHOTS) rmSync(SCREENSHOT);
  });
});
