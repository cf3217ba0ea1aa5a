import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { freePort } from '../support/free-port.js';
import { ServiceProcess } from '../support/service-process.js';
import { settlesWithin } from '../support/wait.js';
import { DashboardScenario } from './dashboard-harness.js';

describe('dashboard with Redis down', () => {
  let scenario: DashboardScenario;
  let dashboard: ServiceProcess;

  before(async () => {
    scenario = await DashboardScenario.create('faults');
    const closedPort = await freePort();
    dashboard = await ServiceProcess.start('dashboard', {
      env: scenario.env({ REDIS_URL: `redis://127.0.0.1:${closedPort}`, REDIS_COMMAND_TIMEOUT_MS: '250' }),
    });
  });

  after(async () => {
    await dashboard?.stop();
    await scenario?.close();
  });

  test('GET / still serves the page', async () => {
    const page = await dashboard.request('/');
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    assert.match(page.text, /Redis cache dashboard/);
    for (const asset of ['/assets/dashboard.js', '/assets/dashboard.css']) assert.equal((await dashboard.request(asset)).status, 200);
  });

  test('GET /cache answers 200 within a second and says Redis is down, as a critical warning', async () => {
    const response = await dashboard.request('/cache');
    assert.equal(response.status, 200, response.text);
    assert.ok(response.elapsedMs < 1_000, `took ${Math.round(response.elapsedMs)} ms`);
    const report = response.json as { redis: { up: boolean; error?: string }; warnings: { level: string; code: string }[] };
    assert.equal(report.redis.up, false);
    assert.ok(report.redis.error);
    assert.ok(report.warnings.some((w) => w.code === 'redis-down' && w.level === 'critical'), JSON.stringify(report.warnings));
  });

  test('GET /stats falls through to Postgres (X-Cache: BYPASS); /stats/visitors is 503 (the counts live only in Redis)', async () => {
    const stats = await dashboard.request('/stats');
    assert.equal(stats.status, 200, stats.text);
    assert.equal(stats.headers.get('x-cache'), 'BYPASS');
    const visitors = await dashboard.request('/stats/visitors');
    assert.equal(visitors.status, 503, visitors.text);
    assert.match(visitors.text, /Redis/);
  });
});

describe('dashboard configuration', () => {
  for (const [name, value] of [['CATALOG_URL', 'nonsense'], ['USERS_URL', 'http://users:3001/api'], ['STATS_TTL_MS', '10']]) {
    test(`${name}=${value} stops start-up with one line naming ${name}`, async () => {
      const dashboard = await ServiceProcess.spawn('dashboard', { env: { [name]: value } });
      assert.ok(await settlesWithin(dashboard.exited(), 15_000), 'the dashboard still runs');
      assert.notEqual((await dashboard.exited()).code, 0);
      const lines = dashboard.stderr.split('\n').filter((line) => line.trim() !== '');
      assert.equal(lines.length, 1, dashboard.stderr);
      assert.match(lines[0], new RegExp(name));
    });
  }
});
