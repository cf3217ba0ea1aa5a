import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Redis } from 'ioredis';
import { parseEnv } from '@app/platform';
import { migrateAll } from '../../scripts/migrate.js';
import { fileKeyPrefix } from '../support/key-prefix.js';
import { createTestDatabase, dropTestDatabase, type TestDatabase } from '../support/test-database.js';
import { metricValue } from '../support/service-app.js';
import { ServiceProcess } from '../support/service-process.js';
import { scanKeys, sharedRedis, unique, userWithSession } from './hostile-support.js';

const report = (line: string) => console.log(`[reliability] ${line}`);
const TOTAL = 10_000;
const CONCURRENCY = 50;

describe('cache-busting flood: 10,000 requests with unique junk query parameters (users and catalog as real processes)', () => {
  const prefix = fileKeyPrefix();
  let users: ServiceProcess;
  let catalog: ServiceProcess;
  let redis: Redis;

  // A database of its own: products other files create in the run's database would reach this
  // catalog's CDC listener and write invalidations under this prefix, moving the key count.
  const adminUrl = parseEnv(process.env, 'users').databaseUrl;
  let database: TestDatabase;

  before(async () => {
    database = await createTestDatabase(adminUrl, `cref_flood_${process.pid}${randomBytes(2).toString('hex')}`);
    await migrateAll(database.url);
    const env = { CACHE_PREFIX: prefix, DATABASE_URL: database.url, WARM_INTERVAL_MS: '0' };
    [users, catalog] = await Promise.all([ServiceProcess.start('users', { env }), ServiceProcess.start('catalog', { env })]);
    redis = sharedRedis();
  });
  after(async () => {
    redis?.disconnect();
    await Promise.all([users?.stop(), catalog?.stop()]);
    if (database) await dropTestDatabase(adminUrl, database.name);
  });

  it('keeps the key count and the database load flat', async () => {
    const user = await userWithSession(users, 'Flood');
    const created = await catalog.request('/products', {
      method: 'POST',
      body: { sku: `FLOOD-${unique()}`, name: 'Flooded', category: `flood-${unique()}`, priceCents: 100, stock: 1 },
    });
    const product = created.json as { id: number; category: string };
    await new Promise((resolve) => setTimeout(resolve, 300)); // the insert's CDC invalidation
    const routes: { service: ServiceProcess; path: string; headers?: Record<string, string> }[] = [
      { service: users, path: `/users/${user.id}` },
      { service: users, path: '/me', headers: { authorization: `Bearer ${user.token}` } },
      { service: catalog, path: `/products/${product.id}` },
      { service: catalog, path: `/products?category=${product.category}&limit=5` },
      { service: users, path: '/users?page=1&limit=5' },
    ];
    for (const route of routes) await route.service.request(route.path, { headers: route.headers }); // each route's own entry exists now

    const dbQueries = async () =>
      metricValue((await users.request('/metrics')).text, 'db_queries_total') + metricValue((await catalog.request('/metrics')).text, 'db_queries_total');
    const keysBefore = new Set(await scanKeys(redis, prefix));
    const queriesBefore = await dbQueries();
    const statuses = new Map<string, number>();
    const startedAt = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < TOTAL) {
          const route = routes[next++ % routes.length];
          const junk = `${randomBytes(6).toString('hex')}=${randomBytes(6).toString('hex')}`;
          const path = `${route.path}${route.path.includes('?') ? '&' : '?'}${junk}&_=${next}`;
          const response = await route.service.request(path, { headers: route.headers });
          const label = `${route.path.split('?')[0]} ${response.status}`;
          statuses.set(label, (statuses.get(label) ?? 0) + 1);
          assert.ok(response.status < 500, `${path} → ${response.status}`);
        }
      }),
    );
    const elapsedS = (performance.now() - startedAt) / 1_000;
    const newKeys = (await scanKeys(redis, prefix)).filter((key) => !keysBefore.has(key));
    const queries = (await dbQueries()) - queriesBefore;
    report(
      `cache-busting flood: ${TOTAL} requests with unique junk parameters in ${elapsedS.toFixed(1)} s (${Math.round(TOTAL / elapsedS)}/s); ` +
        `keys ${keysBefore.size} → ${keysBefore.size + newKeys.length}; ${queries} database queries; outcomes ${JSON.stringify(Object.fromEntries(statuses))}`,
    );
    assert.ok(newKeys.length <= 2, `the flood grew the key space by ${newKeys.length} keys: ${newKeys.slice(0, 5).join(', ')}`);
    assert.ok(queries <= 10, `the flood cost ${queries} database queries`);
  });
});
