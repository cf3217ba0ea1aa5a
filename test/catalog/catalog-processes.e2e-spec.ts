import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { FaultProxy } from '../support/fault-proxy.js';
import { fileKeyPrefix } from '../support/key-prefix.js';
import { metricValue } from '../support/service-app.js';
import { ServiceProcess } from '../support/service-process.js';
import { delay, waitUntil } from '../support/wait.js';
import { createProduct, type ProductBody, productSelects } from './catalog-support.js';
import { createTestRedis } from '../support/test-redis.js';

const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

describe('catalog as real OS processes', () => {
  let db: pg.Client;
  const running: ServiceProcess[] = [];
  const start = async (env: Record<string, string>) => {
    const service = await ServiceProcess.start('catalog', { env: { WARM_INTERVAL_MS: '0', ...env } });
    running.push(service);
    // Answering HTTP is not enough: views are refused (503) until Redis is connected (a cluster needs its slot map).
    await waitUntil(async () => (await service.request('/health')).status === 200, { timeoutMs: 10_000, what: 'catalog healthy' });
    return service;
  };
  const views = async (id: number) => Number((await db.query('SELECT views FROM catalog.products WHERE id = $1', [id])).rows[0].views);

  before(async () => {
    db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
  });
  after(async () => {
    await Promise.all(running.map((service) => service.stop()));
    await db.end();
  });

  it('500 concurrent GETs of a cold product across two processes load it from Postgres once', async () => {
    const prefix = fileKeyPrefix();
    const [a, b] = await Promise.all([start({ CACHE_PREFIX: prefix }), start({ CACHE_PREFIX: prefix })]);
    const product = await createProduct(a.url);
    await delay(200); // let the insert's CDC invalidation land, so the product is cold
    const redis = createTestRedis();
    await redis.unlink(`${prefix}catalog:product:{${product.id}}:v`).finally(() => redis.disconnect()); // and cold even if it lands late
    const before = (await productSelects(a.url)) + (await productSelects(b.url));
    const responses = await Promise.all(Array.from({ length: 500 }, (_, i) => (i % 2 ? a : b).request(`/products/${product.id}`)));
    assert.deepEqual(new Set(responses.map((r) => r.status)), new Set([200]));
    assert.ok(responses.every((r) => (r.json as ProductBody).id === product.id));
    const loads = (await productSelects(a.url)) + (await productSelects(b.url)) - before;
    assert.equal(loads, 1, `${loads} loads of the product for 500 concurrent reads`);
  });

  it('a hot product under steady load: after warm-up no request waits on a recompute, about one recompute per TTL', async () => {
    const ttlMs = 1_500;
    const service = await start({ CACHE_PREFIX: fileKeyPrefix(), PRODUCT_TTL_MS: String(ttlMs) });
    const product = await createProduct(service.url);
    await delay(200);
    await service.request(`/products/${product.id}`);
    const before = await productSelects(service.url);
    const outcomes: string[] = [];
    const durationMs = 4_500;
    const deadline = Date.now() + durationMs;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (Date.now() < deadline) outcomes.push((await service.request(`/products/${product.id}`)).headers.get('x-cache') ?? 'none');
      }),
    );
    const recomputes = (await productSelects(service.url)) - before;
    assert.ok(outcomes.length > 200, `only ${outcomes.length} reads`);
    assert.deepEqual(
      outcomes.filter((o) => o !== 'HIT' && o !== 'STALE'),
      [],
      'every read was served from the cache (a recompute runs in the background)',
    );
    // Jitter (50 %) makes windows 0.75-1.5 s: between 3 and 6 of them in 4.5 s.
    assert.ok(recomputes >= 2 && recomputes <= 8, `${recomputes} recomputes in ${durationMs / ttlMs} TTLs`);
  });

  it('every accepted view reaches Postgres exactly once when the service is SIGKILLed mid-flush and restarted', async () => {
    const env = { CACHE_PREFIX: fileKeyPrefix(), WRITE_BEHIND_BATCH_SIZE: '5', WRITE_BEHIND_FLUSH_INTERVAL_MS: '0', WRITE_BEHIND_CLAIM_IDLE_MS: '1000' };
    const service = await start(env);
    const product = await createProduct(service.url);
    const total = 1_000;
    let accepted = 0;
    for (let sent = 0; sent < total; sent += 50) {
      const replies = await Promise.all(Array.from({ length: 50 }, () => service.request(`/products/${product.id}/views`, { method: 'POST' })));
      accepted += replies.filter((r) => r.status === 202).length;
    }
    await service.kill();
    const flushedAtKill = await views(product.id);
    assert.equal(accepted, total);
    assert.ok(flushedAtKill < total, `the kill came after the last flush (${flushedAtKill} flushed): nothing was in flight`);
    const restarted = await start(env);
    await waitUntil(async () => (await views(product.id)) >= total, { timeoutMs: 15_000, what: `${total} views in Postgres` });
    await delay(1_500);
    assert.equal(await views(product.id), total);
    assert.ok(restarted.running);
  });

  it('a poison entry ends in the dead-letter stream while other views keep flowing', async () => {
    const prefix = fileKeyPrefix();
    const service = await start({ CACHE_PREFIX: prefix, WRITE_BEHIND_FLUSH_INTERVAL_MS: '0' });
    const product = await createProduct(service.url);
    const redis = createTestRedis();
    try {
      await redis.xadd(`${prefix}catalog:wb:{views}`, '*', 'p', JSON.stringify({ productId: 'not-a-number' }));
      for (let i = 0; i < 10; i++) assert.equal((await service.request(`/products/${product.id}/views`, { method: 'POST' })).status, 202);
      await waitUntil(async () => (await views(product.id)) === 10, { timeoutMs: 5_000, what: '10 views in Postgres' });
      const dead = await waitUntil(async () => (await redis.xlen(`${prefix}catalog:wb:{views}:dlq`)) === 1 || undefined, { timeoutMs: 5_000, what: 'one dead letter' });
      assert.ok(dead);
      const [[, fields]] = await redis.xrange(`${prefix}catalog:wb:{views}:dlq`, '-', '+');
      assert.match(fields.join(' '), /productId must be a positive integer/);
      const health = await service.request('/health');
      assert.equal(health.status, 200, health.text);
    } finally {
      redis.disconnect();
    }
  });

  it('a raw SQL UPDATE made while the CDC connection was cut invalidates once it reconnects', async () => {
    const target = new URL(databaseUrl);
    const proxy = await FaultProxy.start({ targetHost: target.hostname, targetPort: Number(target.port || 5432) });
    try {
      const cdcUrl = new URL(databaseUrl);
      cdcUrl.host = `${proxy.host}:${proxy.port}`;
      const service = await start({ CACHE_PREFIX: fileKeyPrefix(), CDC_DATABASE_URL: cdcUrl.toString() });
      const product = await createProduct(service.url);
      const price = async () => ((await service.request(`/products/${product.id}`)).json as ProductBody).priceCents;
      await waitUntil(async () => (await service.request(`/products/${product.id}`)).headers.get('x-cache') === 'HIT', { timeoutMs: 2_000, what: 'a cached copy' });

      await proxy.setMode('refuse');
      proxy.cutAll();
      await db.query('UPDATE catalog.products SET price_cents = 4242 WHERE id = $1', [product.id]);
      await delay(500);
      assert.equal(await price(), product.priceCents, 'the listener was cut: the cached price is still the old one');

      await proxy.setMode('pass');
      await waitUntil(async () => (await price()) === 4242, { timeoutMs: 8_000, intervalMs: 50, what: 'the price after the listener reconnected' });
      const metrics = (await service.request('/metrics')).text;
      assert.ok(metricValue(metrics, 'cache_invalidation_events_total', { source: 'cdc', outcome: 'handled' }) >= 1);
    } finally {
      await proxy.close();
    }
  });
});
