import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { CacheEventPublisher, dailyVisitorsKey, eventStreamKey, utcDaysEndingOn } from '@app/caching';
import { EVENT_STREAMS, ORDER_CREATED, type OrderCreatedPayload } from '@app/contracts';
import { ServiceProcess } from '../support/service-process.js';
import { delay, waitUntil } from '../support/wait.js';
import { DASHBOARD_SEED_SCALE, DashboardScenario, metricValue } from './dashboard-harness.js';
import type { Stats } from '../../apps/dashboard/src/stats/stats.query.js';
import { createTestRedis, type TestRedis } from '../support/test-redis.js';

const DEBOUNCE_MS = 200;
const HLL_STANDARD_ERROR = 0.0081;

describe('dashboard: /stats, event-driven invalidation, unique visitors, /cache', () => {
  let scenario: DashboardScenario;
  let dashboard: ServiceProcess;
  let db: pg.Client;
  let redis: TestRedis;
  let publisher: CacheEventPublisher;
  const statsNamespace = () => `${scenario.prefix}dashboard:stats`;

  async function expectedStats(): Promise<Omit<Stats, 'computedAt' | 'computeMs'>> {
    const scalar = async (sql: string) => Number((await db.query<{ n: string }>(sql)).rows[0].n);
    const top = await db.query<{ productId: string; name: string; unitsSold: string }>(`
      SELECT p.id AS "productId", p.name, sum(i.quantity) AS "unitsSold"
      FROM catalog.order_items i JOIN catalog.products p ON p.id = i.product_id
      GROUP BY p.id, p.name ORDER BY sum(i.quantity) DESC, p.id LIMIT 5`);
    return {
      totalUsers: await scalar(`SELECT count(*) AS n FROM users.users`),
      ordersToday: await scalar(`SELECT count(*) AS n FROM catalog.orders WHERE created_at >= date_trunc('day', now())`),
      revenueMonthToDateCents: await scalar(`SELECT coalesce(sum(amount_cents), 0) AS n FROM catalog.payments WHERE created_at >= date_trunc('month', now())`),
      topProducts: top.rows.map((r) => ({ productId: Number(r.productId), name: r.name, unitsSold: Number(r.unitsSold) })),
    };
  }

  async function stats(): Promise<{ body: Stats; xCache: string | null }> {
    const response = await dashboard.request('/stats');
    assert.equal(response.status, 200, response.text);
    return { body: response.json as Stats, xCache: response.headers.get('x-cache') };
  }

  /** Inserts `count` paid orders of product 1 now, as catalog's POST /orders does, then publishes their events. */
  async function placeOrders(count: number): Promise<void> {
    const { rows } = await db.query<{ id: string; created_at: Date }>(
      `INSERT INTO catalog.orders (user_id, total_cents, status) SELECT 1, 1234, 'paid' FROM generate_series(1, $1::int) RETURNING id, created_at`,
      [count],
    );
    const ids = rows.map((row) => Number(row.id));
    await db.query(`INSERT INTO catalog.order_items (order_id, product_id, quantity, unit_price_cents) SELECT id, 1, 1, 1234 FROM unnest($1::bigint[]) AS id`, [ids]);
    await db.query(`INSERT INTO catalog.payments (order_id, amount_cents, method) SELECT id, 1234, 'card' FROM unnest($1::bigint[]) AS id`, [ids]);
    await Promise.all(
      rows.map((row) => {
        const payload: OrderCreatedPayload = {
          orderId: Number(row.id),
          userId: 1,
          totalCents: 1234,
          createdAt: row.created_at.toISOString(),
          items: [{ productId: 1, quantity: 1 }],
        };
        return publisher.publish(EVENT_STREAMS.orders, { type: ORDER_CREATED, payload });
      }),
    );
  }

  before(async () => {
    scenario = await DashboardScenario.create('main', { seedScale: DASHBOARD_SEED_SCALE });
    db = new pg.Client({ connectionString: scenario.database.url });
    await db.connect();
    redis = createTestRedis();
    publisher = new CacheEventPublisher(redis, { keyPrefix: scenario.prefix, streamMaxLength: 10_000 });
    dashboard = await ServiceProcess.start('dashboard', { env: scenario.env({ INVALIDATION_DEBOUNCE_MS: String(DEBOUNCE_MS) }) });
    // Events published before the consumer group exists would be skipped (the group starts at `$`).
    await waitUntil(
      async () => {
        const groups = (await redis.xinfo('GROUPS', eventStreamKey(scenario.prefix, EVENT_STREAMS.orders))) as unknown[][];
        return groups.some((group) => group.includes('dashboard'));
      },
      { timeoutMs: 10_000, what: 'the dashboard consumer group on the orders stream' },
    );
  });

  after(async () => {
    await dashboard?.stop();
    redis?.disconnect();
    await db?.end();
    await scenario?.close();
  });

  test('/stats equals the same aggregates counted directly in SQL', async () => {
    const { body, xCache } = await stats();
    assert.ok(['MISS', 'HIT'].includes(xCache ?? ''), `X-Cache ${xCache}`);
    const { computedAt, computeMs, ...figures } = body;
    assert.deepEqual(figures, await expectedStats());
    assert.ok(figures.ordersToday > 0 && figures.topProducts.length === 5, 'the seed makes orders today and more than five products sold');
    assert.ok(!Number.isNaN(Date.parse(computedAt)) && computeMs >= 0);
  });

  test('after warm-up, 200 concurrent requests are all served from the cache: no MISS, no recompute in a request', async () => {
    await stats();
    const missesBefore = await metricValue(dashboard, 'cache_reads_total', { namespace: statsNamespace(), outcome: 'miss' });
    const readFillsBefore = await metricValue(dashboard, 'dashboard_stats_recomputes_total', { trigger: 'read' });
    const queriesBefore = await metricValue(dashboard, 'db_queries_total');

    const responses = await Promise.all(Array.from({ length: 200 }, () => dashboard.request('/stats', { timeoutMs: 10_000 })));

    const xCache = responses.map((r) => r.headers.get('x-cache'));
    assert.deepEqual(responses.filter((r) => r.status !== 200), []);
    assert.deepEqual(xCache.filter((value) => value !== 'HIT' && value !== 'STALE'), [], 'every answer is a HIT (or STALE while a refresh runs)');
    assert.equal(await metricValue(dashboard, 'cache_reads_total', { namespace: statsNamespace(), outcome: 'miss' }), missesBefore);
    assert.equal(await metricValue(dashboard, 'dashboard_stats_recomputes_total', { trigger: 'read' }), readFillsBefore);
    // At most one scheduled refresh (4 statements) may fall into the burst; the requests themselves query nothing.
    assert.ok((await metricValue(dashboard, 'db_queries_total')) - queriesBefore <= 4);
  });

  test('an order event makes /stats count the new order within 2 s, and never answers MISS meanwhile', async () => {
    const before = (await stats()).body;
    const publishedAt = performance.now();
    await placeOrders(1);
    const seen: (string | null)[] = [];
    const updated = await waitUntil(
      async () => {
        const { body, xCache } = await stats();
        seen.push(xCache);
        return body.ordersToday === before.ordersToday + 1 ? body : undefined;
      },
      { timeoutMs: 2_000, intervalMs: 25, what: '/stats to count the new order' },
    );
    const elapsedMs = performance.now() - publishedAt;
    assert.ok(elapsedMs < 2_000, `took ${Math.round(elapsedMs)} ms`);
    assert.equal(updated.revenueMonthToDateCents, before.revenueMonthToDateCents + 1234);
    assert.ok(!seen.includes('MISS'), `X-Cache while waiting: ${seen.join(', ')}`);
  });

  test('a burst of 50 order events costs one recompute', async () => {
    const before = (await stats()).body;
    const recomputesBefore = await metricValue(dashboard, 'dashboard_stats_recomputes_total', { trigger: 'event' });
    await placeOrders(50);
    await waitUntil(async () => (await stats()).body.ordersToday === before.ordersToday + 50 || undefined, {
      timeoutMs: 3_000,
      what: '/stats to count the 50 orders',
    });
    await delay(DEBOUNCE_MS * 3);
    assert.equal((await metricValue(dashboard, 'dashboard_stats_recomputes_total', { trigger: 'event' })) - recomputesBefore, 1);
    assert.equal(await metricValue(dashboard, 'cache_event_consumer_pending', { stream: 'orders', group: 'dashboard' }), 0);
  });

  test('/stats/visitors counts 5,000 distinct visitors today and the 7-day union within the HyperLogLog error (0.81 %)', async () => {
    const [yesterday, today] = utcDaysEndingOn(new Date(), 2);
    // Fixed ids: Redis's HyperLogLog hash is deterministic, so this test cannot flake.
    const todays = Array.from({ length: 5_000 }, (_, i) => `visitor-${i}`);
    const yesterdays = Array.from({ length: 3_000 }, (_, i) => `visitor-${i + 4_000}`); // 1,000 also came today
    for (let i = 0; i < todays.length; i += 1_000) await redis.pfadd(dailyVisitorsKey(scenario.prefix, today), ...todays.slice(i, i + 1_000));
    for (let i = 0; i < yesterdays.length; i += 1_000) await redis.pfadd(dailyVisitorsKey(scenario.prefix, yesterday), ...yesterdays.slice(i, i + 1_000));

    const response = await dashboard.request('/stats/visitors');
    assert.equal(response.status, 200, response.text);
    const body = response.json as { days: { day: string; visitors: number }[]; window: { from: string; to: string; visitors: number } };
    assert.equal(body.days.length, 7);
    const within = (actual: number, truth: number) => assert.ok(Math.abs(actual - truth) / truth <= HLL_STANDARD_ERROR, `${actual} vs ${truth}`);
    within(body.days[6].visitors, 5_000);
    within(body.days[5].visitors, 3_000);
    within(body.window.visitors, 7_000);
    assert.equal(body.window.to, today);
  });

  test('/stats/visitors rejects a bad window with 400 and a message naming it', async () => {
    for (const days of ['abc', '0', '32', '2.5']) {
      const response = await dashboard.request(`/stats/visitors?days=${days}`);
      assert.equal(response.status, 400, `days=${days}: ${response.text}`);
      assert.match(response.text, /days/);
    }
  });

  test('/cache reports the hit ratio of the stats namespace, Redis INFO, the event streams, and unreachable services', async () => {
    const response = await dashboard.request('/cache');
    assert.equal(response.status, 200, response.text);
    const report = response.json as {
      services: { service: string; up: boolean; namespaces: { namespace: string; hitRatio: number; reads: { total: number } }[] }[];
      redis: { up: boolean; nodes: { usedMemoryBytes: number; maxmemoryPolicy: string; maxclients: number; evictedKeys: number }[] };
      streams: { key: string; groups: { name: string; pending: number }[] }[];
      warnings: { code: string }[];
    };
    const own = report.services.find((s) => s.service === 'dashboard')!;
    const namespace = own.namespaces.find((n) => n.namespace === statsNamespace());
    assert.ok(namespace && namespace.reads.total > 0 && namespace.hitRatio > 0.9, JSON.stringify(own.namespaces));
    assert.equal(report.redis.up, true);
    assert.ok(report.redis.nodes[0].usedMemoryBytes > 0 && report.redis.nodes[0].maxclients > 0);
    assert.match(report.redis.nodes[0].maxmemoryPolicy, /^[a-z-]+$/);
    const orders = report.streams.find((s) => s.key === eventStreamKey(scenario.prefix, 'orders'));
    assert.ok(orders?.groups.some((g) => g.name === 'dashboard'), JSON.stringify(report.streams));
    assert.deepEqual(report.services.filter((s) => !s.up).map((s) => s.service), ['users', 'catalog']);
    assert.ok(report.warnings.some((w) => w.code === 'service-unreachable'));
  });
});
