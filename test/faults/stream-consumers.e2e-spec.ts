import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { CacheEventPublisher } from '@app/caching';
import { EVENT_STREAMS, ORDER_CREATED, type OrderCreatedPayload, type UserChangedPayload } from '@app/contracts';
import { DashboardScenario } from '../dashboard/dashboard-harness.js';
import { FaultProxy } from '../support/fault-proxy.js';
import { RedisServer } from '../support/redis-server.js';
import { ServiceProcess } from '../support/service-process.js';
import { delay, waitUntil } from '../support/wait.js';

/**
 * The services' own stream consumers across Redis connection faults: users consumes the orders
 * stream (order figures in `/users/:id/summary`), the dashboard consumes the users and orders
 * streams (`/stats` invalidation). Both talk to a private Redis through the fault proxy; the test
 * publishes straight to Redis while the services are cut off, so only a consumer that resumes
 * from its group after reconnecting sees those events. The library's consumer is covered in
 * test/invalidation/event-bus.e2e-spec.ts, the CDC listener in test/invalidation/pg-change-listener
 * and test/catalog/catalog-processes; this is the wiring in the real services.
 */
const report = (line: string) => console.log(`[reliability] ${line}`);

interface Summary {
  orderCount: number;
}
interface Stats {
  totalUsers: number;
}

describe('stream consumers of users and dashboard across Redis connection cuts (real processes, private Redis behind the fault proxy)', () => {
  let redis: RedisServer;
  let proxy: FaultProxy;
  let scenario: DashboardScenario;
  let users: ServiceProcess;
  let dashboard: ServiceProcess;
  let db: pg.Client;
  let publisher: CacheEventPublisher;
  let direct: ReturnType<RedisServer['client']>;
  let orderId = 1;

  const summary = async (id: number) => ((await users.request(`/users/${id}/summary`)).json as Summary).orderCount;
  const totalUsers = async () => ((await dashboard.request('/stats')).json as Stats).totalUsers;
  /** A user row written behind the services' backs, announced the way the users service does. */
  const userCreatedDirectly = async () => {
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO users.users (name, email) VALUES ('Cut', 'cut-' || gen_random_uuid() || '@example.com') RETURNING id`,
    );
    await publisher.publish<UserChangedPayload>(EVENT_STREAMS.users, { type: 'user.created', payload: { id: Number(rows[0].id) } });
  };
  const orderPlaced = (userId: number) =>
    publisher.publish<OrderCreatedPayload>(EVENT_STREAMS.orders, {
      type: ORDER_CREATED,
      payload: { orderId: orderId++, userId, totalCents: 1_000, createdAt: new Date().toISOString(), items: [] },
    });

  before(async () => {
    redis = await RedisServer.start();
    proxy = await FaultProxy.start({ targetPort: redis.port });
    scenario = await DashboardScenario.create('cut');
    db = new pg.Client({ connectionString: scenario.database.url });
    await db.connect();
    direct = redis.client();
    publisher = new CacheEventPublisher(direct, { keyPrefix: scenario.prefix, streamMaxLength: 10_000 });
    const env = scenario.env({ REDIS_URL: proxy.redisUrl, REDIS_COMMAND_TIMEOUT_MS: '250', STATS_TTL_MS: String(3_600_000) });
    [users, dashboard] = await Promise.all([ServiceProcess.start('users', { env }), ServiceProcess.start('dashboard', { env })]);
  });

  after(async () => {
    await Promise.all([users?.stop(), dashboard?.stop()]);
    direct?.disconnect();
    await db?.end();
    await proxy?.close();
    await redis?.close();
    await scenario?.close();
  });

  for (const fault of ['cut and refused', 'black-holed'] as const) {
    it(`no event published while the services' connections are ${fault} is lost: each consumer catches up once they heal`, async () => {
      const created = await users.request('/users', { method: 'POST', body: { name: 'Orders', email: `orders-${Date.now()}@example.com` } });
      assert.equal(created.status, 201, created.text);
      const userId = (created.json as { id: number }).id;
      // Both consumers are live: the dashboard counts the new user, users shows an order.
      await orderPlaced(userId);
      await waitUntil(async () => (await summary(userId)) === 1, { timeoutMs: 5_000, what: 'the first order in the summary' });
      const usersBefore = await waitUntil(async () => {
        const n = await totalUsers();
        return n === Number((await db.query('SELECT count(*) AS n FROM users.users')).rows[0].n) && n;
      }, { timeoutMs: 5_000, what: '/stats to count every user' });

      if (fault === 'cut and refused') {
        await proxy.setMode('refuse'); // drops every open connection and refuses new ones
      } else {
        await proxy.setMode('blackhole');
      }
      for (let i = 0; i < 5; i++) {
        await orderPlaced(userId);
        await userCreatedDirectly();
      }
      await delay(2_000);
      const healedAt = performance.now();
      await proxy.setMode('pass');

      await waitUntil(async () => (await summary(userId)) === 6, { timeoutMs: 15_000, intervalMs: 100, what: 'all 6 orders in the summary' });
      const ordersMs = performance.now() - healedAt;
      await waitUntil(async () => (await totalUsers()) === usersBefore + 5, { timeoutMs: 15_000, intervalMs: 100, what: `/stats to count ${usersBefore + 5} users` });
      const statsMs = performance.now() - healedAt;
      report(`stream consumers, connections ${fault} for 2 s with 10 events published meanwhile: users' order figures complete ${ordersMs.toFixed(0)} ms after healing, dashboard /stats ${statsMs.toFixed(0)} ms after`);

      await delay(500);
      assert.equal(await summary(userId), 6, 'no order was counted twice');
      assert.ok(users.running && dashboard.running, 'no restart');
    });
  }
});
