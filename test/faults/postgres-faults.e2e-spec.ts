import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { FaultProxy } from '../support/fault-proxy.js';
import type { HttpResult } from '../support/http.js';
import { fileKeyPrefix } from '../support/key-prefix.js';
import { ServiceProcess } from '../support/service-process.js';
import { delay, waitUntil } from '../support/wait.js';
import { percentile } from './fault-load.js';

/**
 * Postgres faults: the catalog as a real process whose every database connection (pool and
 * CDC listener) goes through the fault proxy in front of the shared Postgres. Outages last
 * seconds here, not minutes (see docs/reliability.md).
 */
const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const ACQUIRE_TIMEOUT_MS = 1_000;
const STATEMENT_TIMEOUT_MS = 1_000;
const FAIL_FAST_MS = 2_000;

const report = (line: string) => console.log(`[reliability] ${line}`);

function proxiedUrl(proxy: FaultProxy): string {
  const url = new URL(databaseUrl);
  url.host = `${proxy.host}:${proxy.port}`;
  return url.toString();
}

describe('catalog under Postgres faults (real process, every connection through the fault proxy)', () => {
  let db: pg.Client;
  let proxy: FaultProxy;
  const running: ServiceProcess[] = [];

  const insertProducts = async (count: number): Promise<number[]> => {
    const tag = randomBytes(4).toString('hex');
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO catalog.products (sku, name, category, price_cents, stock)
       SELECT 'PGF-' || $1 || '-' || g, 'Fault product ' || g, 'pgf-' || $1, 1000 + g, 100 FROM generate_series(1, $2) g RETURNING id`,
      [tag, count],
    );
    return rows.map((row) => Number(row.id));
  };
  const views = async (ids: number[]) =>
    Number((await db.query('SELECT coalesce(sum(views), 0) AS n FROM catalog.products WHERE id = ANY($1)', [ids])).rows[0].n);
  const start = async (env: Record<string, string>) => {
    const service = await ServiceProcess.start('catalog', {
      env: {
        CACHE_PREFIX: fileKeyPrefix(),
        DATABASE_URL: proxiedUrl(proxy),
        DATABASE_ACQUIRE_TIMEOUT_MS: String(ACQUIRE_TIMEOUT_MS),
        DATABASE_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS),
        WARM_INTERVAL_MS: '0',
        WARM_TOP_N: '0',
        ...env,
      },
      readyTimeoutMs: 30_000,
    });
    running.push(service);
    return service;
  };

  before(async () => {
    db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    const target = new URL(databaseUrl);
    proxy = await FaultProxy.start({ targetHost: target.hostname, targetPort: Number(target.port || 5432) });
  });
  after(async () => {
    await Promise.all(running.map((service) => service.stop()));
    await proxy.close();
    await db.end();
  });

  for (const mode of ['refuse', 'blackhole'] as const) {
    it(`Postgres ${mode === 'refuse' ? 'refusing connections' : 'black-holed'}: cached reads served STALE, uncached reads 503 in under 2 s, views wait in their stream and all reach Postgres after recovery`, async () => {
      const service = await start({ PRODUCT_TTL_MS: '1000', PRODUCT_GRACE_MS: '600000' });
      const cached = await insertProducts(20);
      const uncached = await insertProducts(20);
      await delay(300); // the inserts' own CDC invalidations land first
      for (const id of cached) assert.equal((await service.request(`/products/${id}`)).status, 200);
      // a warm pool: the black hole then catches connections that are already open
      await Promise.all(Array.from({ length: 10 }, () => service.request('/health')));

      await proxy.setMode(mode);
      const downAt = performance.now();
      await delay(1_100); // past the 1 s TTL: the cached copies are stale now
      const cachedReads: HttpResult[] = [];
      const uncachedReads: HttpResult[] = [];
      const viewPosts: HttpResult[] = [];
      const deadline = performance.now() + 3_000;
      for (let round = 0; performance.now() < deadline; round++) {
        const coldIds = uncached.slice((round * 3) % 18, ((round * 3) % 18) + 3);
        const [hits, misses, posts] = await Promise.all([
          Promise.all(cached.slice(0, 10).map((id) => service.request(`/products/${id}`))),
          Promise.all(coldIds.map((id) => service.request(`/products/${id}`, { timeoutMs: 15_000 }))),
          Promise.all(cached.slice(0, 10).map((id) => service.request(`/products/${id}/views`, { method: 'POST' }))),
        ]);
        cachedReads.push(...hits);
        uncachedReads.push(...misses);
        viewPosts.push(...posts);
        await delay(100);
      }
      const acceptedViews = viewPosts.filter((r) => r.status === 202).length;
      const health = await service.request('/health', { timeoutMs: 5_000 });

      await proxy.setMode('pass');
      const upAt = performance.now();
      const recovered = await waitUntil(async () => (await service.request(`/products/${uncached[19]}`)).status === 200, {
        timeoutMs: 10_000,
        intervalMs: 100,
        what: 'an uncached read after Postgres came back',
      });
      const readRecoveryMs = performance.now() - upAt;
      await waitUntil(async () => (await views(cached)) === acceptedViews, { timeoutMs: 15_000, intervalMs: 200, what: `${acceptedViews} views in Postgres` });
      const viewsRecoveryMs = performance.now() - upAt;
      const fresh = await waitUntil(
        async () => {
          const r = await service.request(`/products/${cached[0]}`);
          return r.headers.get('x-cache') !== 'STALE' && r;
        },
        { timeoutMs: 5_000, intervalMs: 100, what: 'a fresh copy after recovery' },
      );

      const uncachedTimes = uncachedReads.map((r) => r.elapsedMs);
      report(
        `postgres ${mode}: ${Math.round(upAt - downAt)} ms down; cached reads ${cachedReads.length} (statuses ${[...new Set(cachedReads.map((r) => r.status))]}, ` +
          `X-Cache ${[...new Set(cachedReads.map((r) => r.headers.get('x-cache')))]}, p99 ${percentile(cachedReads.map((r) => r.elapsedMs), 99).toFixed(1)} ms); ` +
          `uncached reads ${uncachedReads.length} (statuses ${[...new Set(uncachedReads.map((r) => r.status))]}, p99 ${percentile(uncachedTimes, 99).toFixed(0)} ms, max ${Math.max(...uncachedTimes).toFixed(0)} ms); ` +
          `views accepted ${acceptedViews}; /health ${health.status} in ${health.elapsedMs.toFixed(0)} ms; ` +
          `uncached reads back ${readRecoveryMs.toFixed(0)} ms after healing, all views flushed after ${viewsRecoveryMs.toFixed(0)} ms, fresh copy served as ${fresh.headers.get('x-cache')}`,
      );

      assert.ok(cachedReads.length > 0 && uncachedReads.length > 0);
      for (const r of cachedReads) {
        assert.equal(r.status, 200, r.text);
        assert.ok(['STALE', 'HIT'].includes(r.headers.get('x-cache') ?? ''), `cached read served as ${r.headers.get('x-cache')}`);
      }
      assert.ok(cachedReads.some((r) => r.headers.get('x-cache') === 'STALE'), 'no read was served STALE past the TTL');
      for (const r of uncachedReads) {
        assert.equal(r.status, 503, `uncached read answered ${r.status}: ${r.text}`);
        assert.ok(r.elapsedMs < FAIL_FAST_MS, `uncached read took ${r.elapsedMs.toFixed(0)} ms`);
      }
      assert.equal(acceptedViews, viewPosts.length, `views refused while Postgres was down: ${viewPosts.filter((r) => r.status !== 202).map((r) => r.text)[0]}`);
      assert.equal(health.status, 503, 'health says the database is down');
      assert.ok(recovered);
      assert.equal(await views(cached), acceptedViews);
      assert.ok(service.running, 'no restart');
    });
  }

  it('pool exhaustion: of 50 concurrent slow reads against a pool of 10, the excess get 503 within the acquire timeout; cached routes keep answering', async () => {
    const service = await start({ DATABASE_POOL_SIZE: '10', DATABASE_STATEMENT_TIMEOUT_MS: '10000' });
    const cold = await insertProducts(60);
    const hot = await insertProducts(1);
    await delay(300);
    assert.equal((await service.request(`/products/${hot[0]}`)).status, 200);
    // Ten connections open in the pool, so the slow requests do not wait on connecting: ten
    // concurrent reads, each slow enough (300 ms each way) that none can reuse another's connection.
    await proxy.setMode('latency', { latencyMs: 300 });
    const warm = await Promise.all(cold.slice(50, 60).map((id) => service.request(`/products/${id}`)));
    assert.deepEqual(warm.map((r) => r.status), Array(10).fill(200));

    await proxy.setMode('latency', { latencyMs: 1_000 });
    try {
      const slow = Promise.all(cold.slice(0, 50).map((id) => service.request(`/products/${id}`, { timeoutMs: 15_000 })));
      const others: HttpResult[] = [];
      const until = performance.now() + 2_000;
      while (performance.now() < until) {
        others.push(await service.request(`/products/${hot[0]}`), await service.request(`/products/${hot[0]}/views`, { method: 'POST' }));
        await delay(20);
      }
      const results = await slow;
      const served = results.filter((r) => r.status === 200);
      const refused = results.filter((r) => r.status === 503);
      const otherTimes = others.map((r) => r.elapsedMs);
      report(
        `pool exhaustion: 50 slow reads on a pool of 10 → ${served.length} × 200 (max ${Math.max(...served.map((r) => r.elapsedMs)).toFixed(0)} ms), ` +
          `${refused.length} × 503 (max ${Math.max(...refused.map((r) => r.elapsedMs)).toFixed(0)} ms, acquire timeout ${ACQUIRE_TIMEOUT_MS} ms); ` +
          `${others.length} cached reads and views meanwhile: statuses ${[...new Set(others.map((r) => r.status))]}, p99 ${percentile(otherTimes, 99).toFixed(1)} ms`,
      );
      assert.equal(served.length + refused.length, 50, results.map((r) => r.status).join(','));
      assert.ok(served.length >= 8 && served.length <= 10, `${served.length} of 50 were served by a pool of 10`);
      for (const r of refused) {
        assert.ok(r.elapsedMs < ACQUIRE_TIMEOUT_MS + 500, `a 503 came after ${r.elapsedMs.toFixed(0)} ms`);
        assert.match(r.text, /database unavailable/);
      }
      assert.ok(others.every((r) => r.status === 200 || r.status === 202), others.map((r) => r.status).join(','));
      assert.ok(percentile(otherTimes, 99) < 200, `cached routes slowed to p99 ${percentile(otherTimes, 99).toFixed(0)} ms`);
    } finally {
      await proxy.setMode('pass');
    }
  });
});
