import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { CacheEngine, dailyVisitorsKey, eventStreamKey, writeBehindKeys } from '@app/caching';
import { EVENT_STREAMS, ORDER_CREATED } from '@app/contracts';
import { AppModule } from '../../apps/catalog/src/app.module.js';
import { trendingKey } from '../../apps/catalog/src/products/product-cache.keys.js';
import { ProductViewsRecorder } from '../../apps/catalog/src/views/product-views.recorder.js';
import { httpRequest } from '../support/http.js';
import { metricValue, type RunningApp, startServiceApp } from '../support/service-app.js';
import { waitUntil } from '../support/wait.js';
import { createProduct, type ProductBody, productSelects, unique } from './catalog-support.js';
import { monitorRedis } from '../support/redis-monitor.js';
import { createTestRedis, nodeForKey, type TestRedis } from '../support/test-redis.js';

const DAY_MS = 86_400_000;

describe('catalog service (in-process app, real Postgres and Redis)', () => {
  let svc: RunningApp;
  let redis: TestRedis;
  let db: pg.Client;
  const get = (path: string, headers?: Record<string, string>) => httpRequest(`${svc.url}${path}`, { headers });
  const dbProduct = async (id: number) => (await db.query('SELECT stock, views FROM catalog.products WHERE id = $1', [id])).rows[0] as { stock: number; views: string };

  before(async () => {
    svc = await startServiceApp(AppModule, { env: { WARM_INTERVAL_MS: '0', WRITE_BEHIND_FLUSH_INTERVAL_MS: '50' } });
    redis = createTestRedis();
    db = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await db.connect();
  });
  after(async () => {
    await db.end();
    redis.disconnect();
    await svc.close();
  });

  describe('validation', () => {
    it('answers 400 with the reason for bad products, ids, queries and headers', async () => {
      const bad = await httpRequest(`${svc.url}/products`, { method: 'POST', body: { sku: 'has space', name: '', category: 'Upper Case', priceCents: -1, stock: 1.5 } });
      assert.equal(bad.status, 400);
      const message = JSON.stringify(bad.json);
      for (const field of ['sku', 'name', 'category', 'priceCents', 'stock']) assert.match(message, new RegExp(field));
      assert.equal((await get('/products/abc')).status, 400);
      assert.equal((await get('/products/1e3')).status, 400);
      assert.equal((await get('/products?limit=1000')).status, 400);
      assert.equal((await get('/products?category=a%7Bb')).status, 400);
      const product = await createProduct(svc.url);
      const badVisitor = await httpRequest(`${svc.url}/products/${product.id}/views`, { method: 'POST', headers: { 'x-visitor-id': 'a b' } });
      assert.equal(badVisitor.status, 400);
      const badStock = await httpRequest(`${svc.url}/products/${product.id}/stock`, { method: 'PATCH', body: { delta: 0, idempotencyKey: 'x' } });
      assert.equal(badStock.status, 400);
      assert.match(JSON.stringify(badStock.json), /delta must not be 0.*idempotencyKey/);
      const badOrder = await httpRequest(`${svc.url}/orders`, { method: 'POST', body: { userId: 1, items: [], paymentMethod: 'gold' } });
      assert.equal(badOrder.status, 400);
      assert.match(JSON.stringify(badOrder.json), /items must list at least one product.*paymentMethod must be one of/);
      const empty = await httpRequest(`${svc.url}/products/${product.id}`, { method: 'PUT', body: {} });
      assert.equal(empty.status, 400);
    });

    it('answers 404 for a missing product (cached as such) and 409 for a duplicate sku', async () => {
      assert.equal((await get('/products/999999999')).status, 404);
      assert.equal((await get('/products/999999999')).headers.get('x-cache'), 'HIT');
      assert.equal((await httpRequest(`${svc.url}/products/999999999`, { method: 'PUT', body: { name: 'x' } })).status, 404);
      assert.equal((await httpRequest(`${svc.url}/products/999999999/views`, { method: 'POST' })).status, 404);
      const product = await createProduct(svc.url);
      const duplicate = await httpRequest(`${svc.url}/products`, {
        method: 'POST',
        body: { sku: product.sku, name: 'Other', category: 'other', priceCents: 1, stock: 1 },
      });
      assert.equal(duplicate.status, 409);
    });
  });

  describe('read-through and invalidation', () => {
    it('reads a cold product from Postgres once: MISS, then HIT', async () => {
      const product = await createProduct(svc.url);
      await new Promise((resolve) => setTimeout(resolve, 100)); // the insert's CDC delete has landed
      await redis.unlink(`${svc.keyPrefix}catalog:product:{${product.id}}:v`);
      const before = await productSelects(svc.url);
      const [miss, hit] = [await get(`/products/${product.id}`), await get(`/products/${product.id}`)];
      assert.deepEqual([miss.headers.get('x-cache'), hit.headers.get('x-cache')], ['MISS', 'HIT']);
      assert.equal((hit.json as ProductBody).name, 'Walnut desk');
      assert.equal((await productSelects(svc.url)) - before, 1);
    });

    it('shows a raw SQL price UPDATE within 1 s (trigger + LISTEN/NOTIFY), including on the category page', async () => {
      const product = await createProduct(svc.url);
      const page = `/products?category=${product.category}`;
      await get(`/products/${product.id}`);
      // the insert's own CDC invalidation may still be on its way: wait until the page stays cached
      await waitUntil(async () => (await get(page)).headers.get('x-cache') === 'HIT', { timeoutMs: 2_000, what: 'a cached category page' });
      await db.query('UPDATE catalog.products SET price_cents = 777 WHERE id = $1', [product.id]);
      const startedAt = Date.now();
      await waitUntil(async () => ((await get(`/products/${product.id}`)).json as ProductBody).priceCents === 777, {
        timeoutMs: 1_000,
        intervalMs: 20,
        what: 'the new price through GET',
      });
      assert.ok(Date.now() - startedAt < 1_000);
      const listed = (await get(page)).json as { items: ProductBody[] };
      assert.equal(listed.items[0].priceCents, 777);
    });

    it('PUT is read back at once (write-through), and drops the pages of the old and the new category', async () => {
      const product = await createProduct(svc.url);
      const target = await createProduct(svc.url);
      for (const category of [product.category, target.category]) {
        await get(`/products?category=${category}`);
        assert.equal((await get(`/products?category=${category}`)).headers.get('x-cache'), 'HIT');
      }
      const put = await httpRequest(`${svc.url}/products/${product.id}`, { method: 'PUT', body: { category: target.category, priceCents: 5 } });
      assert.equal(put.status, 200, put.text);
      const read = await get(`/products/${product.id}`);
      assert.deepEqual([(read.json as ProductBody).category, (read.json as ProductBody).priceCents], [target.category, 5]);
      assert.equal(((await get(`/products?category=${product.category}`)).json as { total: number }).total, 0);
      const moved = (await get(`/products?category=${target.category}`)).json as { items: ProductBody[] };
      assert.deepEqual(moved.items.map((item) => item.id).sort(), [product.id, target.id].sort());
    });
  });

  describe('views (write-behind)', () => {
    it('accepts views with 202, counts them in Redis (trending, visitors) and adds them to Postgres in batches', async () => {
      const product = await createProduct(svc.url);
      const responses = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          httpRequest(`${svc.url}/products/${product.id}/views`, { method: 'POST', headers: { 'x-visitor-id': `visitor-${i % 4}` } }),
        ),
      );
      assert.deepEqual(new Set(responses.map((r) => r.status)), new Set([202]));
      await waitUntil(async () => Number((await dbProduct(product.id)).views) === 40, { timeoutMs: 5_000, what: '40 views in Postgres' });
      const trending = (await get('/products/trending?limit=100')).json as { items: { product: ProductBody; views: number }[] };
      assert.equal(trending.items.find((item) => item.product.id === product.id)?.views, 40);
      const day = new Date().toISOString().slice(0, 10);
      const visitors = await redis.pfcount(`${svc.keyPrefix}catalog:visitors:{visitors}:${day}`);
      assert.ok(visitors >= 4, `${visitors} unique visitors`);
    });

    it('hydrates trending with one many-get: cached products cost no query', async () => {
      const [a, b] = [await createProduct(svc.url), await createProduct(svc.url)];
      for (const p of [a, b, b]) await httpRequest(`${svc.url}/products/${p.id}/views`, { method: 'POST' });
      await get(`/products/trending?limit=100`);
      const before = await productSelects(svc.url);
      const trending = (await get('/products/trending?limit=100')).json as { items: { product: ProductBody }[] };
      const ids = trending.items.map((item) => item.product.id);
      assert.ok(ids.indexOf(b.id) < ids.indexOf(a.id) && ids.includes(a.id));
      assert.equal((await productSelects(svc.url)) - before, 0);
    });

    it('records the views of concurrent requests with one script call, each caller with its own entry and count', async () => {
      const product = await createProduct(svc.url);
      const recorder = svc.app.get(ProductViewsRecorder);
      const stream = writeBehindKeys({ keyPrefix: svc.keyPrefix, service: 'catalog' }, 'views').stream;
      const node = nodeForKey(redis, stream);
      const scripts: string[][] = [];
      const monitor = await monitorRedis(node.options.host!, node.options.port!, ({ args, source }) => {
        if (source !== 'lua' && /^eval/i.test(args[0]) && args.includes(stream)) scripts.push(args);
      });
      const recorded = await Promise.all(Array.from({ length: 100 }, (_, i) => recorder.record(product.id, `id:batch-${i}`)));
      await new Promise((resolve) => setTimeout(resolve, 50));
      monitor.stop();
      assert.equal(scripts.length, 1, `${scripts.length} script calls`);
      assert.equal(new Set(recorded.map((view) => view.entryId)).size, 100);
      assert.deepEqual(recorded.map((view) => view.liveViews).sort((a, b) => a - b), Array.from({ length: 100 }, (_, i) => i + 1));
      const entries = await redis.xrange(stream, recorded[0].entryId, recorded[99].entryId);
      assert.ok(recorded.every((view) => entries.some(([id]) => id === view.entryId)), 'every entry id is in the stream');
    });

    it('keeps the trending set and the visitor HyperLogLog expiring, sending their expiries about once a minute, not on every view', async () => {
      const product = await createProduct(svc.url);
      const recorder = svc.app.get(ProductViewsRecorder);
      const keysOf = (day: string) => [trendingKey(svc.app.get(CacheEngine).keys, day), dailyVisitorsKey(svc.keyPrefix, day)];
      const ttlsMs = (keys: string[]) => Promise.all(keys.map((key) => redis.pttl(key)));
      const noon = Date.UTC(2031, 0, 15, 12); // a day of its own: today's keys belong to the other tests
      const [trending, visitors] = keysOf('2031-01-15');
      const near = (ttlMs: number, retentionMs: number) => ttlMs > retentionMs - 60_000 && ttlMs <= retentionMs;

      await recorder.record(product.id, 'id:first', noon);
      const [trendingTtl, visitorsTtl] = await ttlsMs([trending, visitors]);
      assert.ok(near(trendingTtl, 2 * DAY_MS), `trending expires in ${trendingTtl} ms`);
      assert.ok(near(visitorsTtl, 32 * DAY_MS), `visitors expire in ${visitorsTtl} ms`);

      // Deleted by hand: recreated by the next view without an expiry, until the next refresh is due.
      for (const key of [trending, visitors]) await redis.del(key); // one by one: on a cluster they live in two slots
      await recorder.record(product.id, 'id:second', noon + 1_000);
      assert.deepEqual(await ttlsMs([trending, visitors]), [-1, -1]);
      await recorder.record(product.id, 'id:third', noon + 61_000);
      assert.ok((await ttlsMs([trending, visitors])).every((ttl) => ttl > 0));

      // A new day's keys get their expiries on their first view.
      await recorder.record(product.id, 'id:fourth', noon + DAY_MS);
      assert.ok((await ttlsMs(keysOf('2031-01-16'))).every((ttl) => ttl > 0));
      assert.equal(await redis.zscore(trending, String(product.id)), '2');
    });
  });

  describe('stock (write-behind deltas, Redis-side admission)', () => {
    it('never goes below zero under 200 concurrent decrements, and Postgres converges to the same figure', async () => {
      const product = await createProduct(svc.url, { stock: 50 });
      const responses = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          httpRequest(`${svc.url}/products/${product.id}/stock`, { method: 'PATCH', body: { delta: -1, idempotencyKey: `take-${product.id}-${i}` } }),
        ),
      );
      const statuses = responses.map((r) => r.status);
      assert.equal(statuses.filter((s) => s === 202).length, 50);
      assert.equal(statuses.filter((s) => s === 409).length, 150);
      await waitUntil(async () => (await dbProduct(product.id)).stock === 0, { timeoutMs: 5_000, what: 'Postgres stock to reach 0' });
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal((await dbProduct(product.id)).stock, 0);
    });

    it('applies a repeated idempotency key once and says so', async () => {
      const product = await createProduct(svc.url, { stock: 5 });
      const body = { delta: 3, idempotencyKey: `restock-${unique()}` };
      const first = await httpRequest(`${svc.url}/products/${product.id}/stock`, { method: 'PATCH', body });
      const again = await httpRequest(`${svc.url}/products/${product.id}/stock`, { method: 'PATCH', body });
      assert.equal(first.status, 202);
      assert.equal(again.status, 200);
      assert.deepEqual([(first.json as { applied: boolean }).applied, (again.json as { applied: boolean }).applied], [true, false]);
      assert.equal((again.json as { entryId: string }).entryId, (first.json as { entryId: string }).entryId);
      const reused = await httpRequest(`${svc.url}/products/${product.id}/stock`, { method: 'PATCH', body: { ...body, delta: 4 } });
      assert.equal(reused.status, 422);
      await waitUntil(async () => (await dbProduct(product.id)).stock === 8, { timeoutMs: 5_000, what: 'stock 8 in Postgres' });
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal((await dbProduct(product.id)).stock, 8);
    });
  });

  describe('orders', () => {
    it('places an order in one transaction, takes stock, publishes order.created', async () => {
      const product = await createProduct(svc.url, { stock: 3, priceCents: 250 });
      const stream = eventStreamKey(svc.keyPrefix, EVENT_STREAMS.orders);
      const placed = await httpRequest(`${svc.url}/orders`, {
        method: 'POST',
        body: { userId: 7, items: [{ productId: product.id, quantity: 2 }], paymentMethod: 'card' },
      });
      assert.equal(placed.status, 201, placed.text);
      const order = placed.json as { orderId: number; totalCents: number };
      assert.equal(order.totalCents, 500);
      assert.equal((await dbProduct(product.id)).stock, 1);
      const payment = await db.query('SELECT amount_cents FROM catalog.payments WHERE order_id = $1', [order.orderId]);
      assert.equal(Number(payment.rows[0].amount_cents), 500);
      const entries = await redis.xrange(stream, '-', '+');
      const events = entries.map(([, fields]) => JSON.parse(fields[1]) as { type: string; payload: { orderId: number } });
      assert.ok(events.some((e) => e.type === ORDER_CREATED && e.payload.orderId === order.orderId));
    });

    it('answers 409 when stock is short (nothing written), 404 for an unknown product', async () => {
      const product = await createProduct(svc.url, { stock: 1 });
      const before = Number((await db.query('SELECT count(*) FROM catalog.orders')).rows[0].count);
      const short = await httpRequest(`${svc.url}/orders`, {
        method: 'POST',
        body: { userId: 7, items: [{ productId: product.id, quantity: 2 }], paymentMethod: 'card' },
      });
      assert.equal(short.status, 409);
      const unknown = await httpRequest(`${svc.url}/orders`, {
        method: 'POST',
        body: { userId: 7, items: [{ productId: 999_999_999, quantity: 1 }], paymentMethod: 'card' },
      });
      assert.equal(unknown.status, 404);
      assert.equal(Number((await db.query('SELECT count(*) FROM catalog.orders')).rows[0].count), before);
      assert.equal((await dbProduct(product.id)).stock, 1);
    });

    it('orders and stock deltas share one admission: 100 of each racing never oversell', async () => {
      const product = await createProduct(svc.url, { stock: 60 });
      const orders = Array.from({ length: 100 }, () =>
        httpRequest(`${svc.url}/orders`, { method: 'POST', body: { userId: 1, items: [{ productId: product.id, quantity: 1 }], paymentMethod: 'card' } }),
      );
      const deltas = Array.from({ length: 100 }, (_, i) =>
        httpRequest(`${svc.url}/products/${product.id}/stock`, { method: 'PATCH', body: { delta: -1, idempotencyKey: `mix-${product.id}-${i}` } }),
      );
      const statuses = (await Promise.all([...orders, ...deltas])).map((r) => r.status);
      assert.equal(statuses.filter((s) => s === 201 || s === 202).length, 60);
      await waitUntil(async () => (await dbProduct(product.id)).stock === 0, { timeoutMs: 5_000, what: 'Postgres stock to reach 0' });
    });
  });

  it('reports write-behind lag in /health and prefetches in /metrics', async () => {
    const health = await get('/health');
    assert.equal(health.status, 200, health.text);
    assert.ok((health.json as { details: Record<string, unknown> }).details['write-behind']);
    const metrics = (await get('/metrics')).text;
    assert.match(metrics, /catalog_prefetched_products_total/);
    assert.ok(metricValue(metrics, 'cache_reads_total') > 0);
  });
});
