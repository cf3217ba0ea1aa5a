import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { parseEnv } from '@app/platform';
import { seed, type SeedResult } from '../scripts/seed.js';
import { seedCounts } from '../scripts/seed/seed.scale.js';
import { SEED_CATEGORIES } from '../scripts/seed/seed.sql.js';
import { createTestDatabase, dropTestDatabase, type TestDatabase } from './support/test-database.js';

// 200 users, 20 products, 2,000 orders: enough for one product per category and orders on most of the 90 days.
const SCALE = 0.002;
const expected = seedCounts(SCALE);
const adminUrl = parseEnv(process.env, 'users').databaseUrl;
const seedCli = fileURLToPath(new URL('../scripts/seed.js', import.meta.url));

async function freshDatabase(label: string): Promise<TestDatabase> {
  return createTestDatabase(adminUrl, `cref_seed_${label}_${process.pid}${randomBytes(2).toString('hex')}`);
}

describe('seed', () => {
  let database: TestDatabase;
  let client: pg.Client;
  let first: SeedResult;

  const scalar = async (sql: string): Promise<number> => Number(Object.values((await client.query(sql)).rows[0])[0]);

  before(async () => {
    database = await freshDatabase('main');
    first = await seed(database.url, SCALE);
    client = new pg.Client({ connectionString: database.url });
    await client.connect();
  });

  after(async () => {
    await client?.end();
    if (database) await dropTestDatabase(adminUrl, database.name);
  });

  it('makes exactly the scaled number of users, products and orders, and one payment per order', async () => {
    assert.equal(first.seeded, true);
    assert.equal(await scalar('SELECT count(*) FROM users.users'), expected.users);
    assert.equal(await scalar('SELECT count(*) FROM catalog.products'), expected.products);
    assert.equal(await scalar('SELECT count(*) FROM catalog.orders'), expected.orders);
    assert.equal(await scalar('SELECT count(*) FROM catalog.payments'), expected.orders);
    assert.deepEqual(first.rows, {
      ...expected,
      orderItems: await scalar('SELECT count(*) FROM catalog.order_items'),
      payments: expected.orders,
    });
  });

  it('gives every order one to three items', async () => {
    const outside = await scalar(`
      SELECT count(*) FROM catalog.orders AS o
      WHERE (SELECT count(*) FROM catalog.order_items AS i WHERE i.order_id = o.id) NOT BETWEEN 1 AND 3`);
    assert.equal(outside, 0);
  });

  it('makes every order total the sum of its items and every payment the amount of its order', async () => {
    const badTotals = await scalar(`
      SELECT count(*) FROM catalog.orders AS o
      JOIN (SELECT order_id, sum(quantity * unit_price_cents) AS items_cents FROM catalog.order_items GROUP BY order_id) AS i
        ON i.order_id = o.id
      WHERE o.total_cents <> i.items_cents`);
    const badPayments = await scalar(`
      SELECT count(*) FROM catalog.payments AS p
      LEFT JOIN catalog.orders AS o ON o.id = p.order_id
      WHERE o.id IS NULL OR p.amount_cents <> o.total_cents`);
    const unpaidOrders = await scalar(`
      SELECT count(*) FROM catalog.orders AS o WHERE NOT EXISTS (SELECT 1 FROM catalog.payments AS p WHERE p.order_id = o.id)`);
    assert.deepEqual({ badTotals, badPayments, unpaidOrders }, { badTotals: 0, badPayments: 0, unpaidOrders: 0 });
  });

  it('places every order for an existing user, at the price the product has', async () => {
    const orphanOrders = await scalar(`
      SELECT count(*) FROM catalog.orders AS o LEFT JOIN users.users AS u ON u.id = o.user_id WHERE u.id IS NULL`);
    const mispricedItems = await scalar(`
      SELECT count(*) FROM catalog.order_items AS i JOIN catalog.products AS p ON p.id = i.product_id
      WHERE i.unit_price_cents <> p.price_cents`);
    assert.deepEqual({ orphanOrders, mispricedItems }, { orphanOrders: 0, mispricedItems: 0 });
  });

  it('spreads orders over the last 90 days, with orders today and revenue this month', async () => {
    const { rows } = await client.query<{ today: number; month_cents: number; days: number; too_old: number; future: number }>(`
      SELECT count(*) FILTER (WHERE created_at >= date_trunc('day', now()))::int AS today,
             coalesce(sum(total_cents) FILTER (WHERE created_at >= date_trunc('month', now())), 0)::float8 AS month_cents,
             count(DISTINCT date_trunc('day', created_at))::int AS days,
             count(*) FILTER (WHERE created_at < now() - interval '90 days 1 minute')::int AS too_old,
             count(*) FILTER (WHERE created_at > now())::int AS future
      FROM catalog.orders`);
    const [orders] = rows;
    assert.ok(orders.today > 0, 'some orders are from today');
    assert.ok(orders.month_cents > 0, 'revenue month-to-date is not zero');
    assert.ok(orders.days >= 60, `orders fall on ${orders.days} distinct days`);
    assert.deepEqual({ tooOld: orders.too_old, future: orders.future }, { tooOld: 0, future: 0 });
  });

  it('numbers orders in time order', async () => {
    const outOfOrder = await scalar(`
      SELECT count(*) FROM (SELECT created_at < lag(created_at) OVER (ORDER BY id) AS earlier FROM catalog.orders) AS o
      WHERE earlier`);
    assert.equal(outOfOrder, 0);
  });

  it('spreads products over every category with unique skus and realistic prices', async () => {
    const { rows } = await client.query<{ categories: string[]; skus: number; cheapest: number; dearest: number }>(`
      SELECT array_agg(DISTINCT category ORDER BY category) AS categories, count(DISTINCT sku)::int AS skus,
             min(price_cents) AS cheapest, max(price_cents) AS dearest
      FROM catalog.products`);
    const [products] = rows;
    assert.deepEqual(products.categories, [...SEED_CATEGORIES].sort());
    assert.equal(products.skus, expected.products);
    assert.ok(products.cheapest >= 499 && products.dearest <= 100_499, `prices ${products.cheapest}-${products.dearest} cents`);
  });

  it('moves identity sequences past the seeded ids, so the services can insert', async () => {
    await client.query('BEGIN');
    try {
      const user = await client.query(`INSERT INTO users.users (name, email) VALUES ('New', 'new@example.com') RETURNING id`);
      const product = await client.query(
        `INSERT INTO catalog.products (sku, name, category, price_cents) VALUES ('NEW-1', 'New', 'books', 100) RETURNING id`,
      );
      const order = await client.query(`INSERT INTO catalog.orders (user_id, total_cents) VALUES (1, 0) RETURNING id`);
      const payment = await client.query(
        `INSERT INTO catalog.payments (order_id, amount_cents, method) VALUES ($1, 0, 'card') RETURNING id`,
        [order.rows[0].id],
      );
      assert.deepEqual(
        [user, product, order, payment].map((result) => Number(result.rows[0].id)),
        [expected.users + 1, expected.products + 1, expected.orders + 1, expected.orders + 1],
      );
    } finally {
      await client.query('ROLLBACK');
    }
  });

  it('does nothing on a second run over a seeded database', async () => {
    const lastOrderBefore = await scalar('SELECT max(created_at)::text FROM catalog.orders');
    const second = await seed(database.url, SCALE);
    assert.equal(second.seeded, false);
    assert.deepEqual(second.rows, first.rows);
    assert.equal(await scalar('SELECT max(created_at)::text FROM catalog.orders'), lastOrderBefore);
  });
});

describe('seed, started twice at once', () => {
  let database: TestDatabase;

  before(async () => {
    database = await freshDatabase('race');
  });

  after(async () => {
    if (database) await dropTestDatabase(adminUrl, database.name);
  });

  it('writes the data once: one run seeds, the other finds it there', async () => {
    const results = await Promise.all([seed(database.url, 0.001), seed(database.url, 0.001)]);
    assert.deepEqual(results.map((result) => result.seeded).sort(), [false, true]);
    assert.deepEqual(results[0].rows, results[1].rows);
    assert.equal(results[0].rows.orders, seedCounts(0.001).orders);
  });
});

describe('seed command line', () => {
  it('rejects a bad SEED_SCALE with one line naming it, and exit code 1', () => {
    const run = spawnSync(process.execPath, [seedCli], {
      env: { ...process.env, SEED_SCALE: 'lots' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(run.status, 1);
    assert.equal(run.stderr, 'seed: SEED_SCALE must be a positive number such as 1 or 0.01 (got "lots")\n');
    assert.equal(run.stdout, '');
  });
});
