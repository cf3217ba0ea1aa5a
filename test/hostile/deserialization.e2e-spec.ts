import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Redis } from 'ioredis';
import { AppModule as CatalogModule } from '../../apps/catalog/src/app.module.js';
import { AppModule as UsersModule } from '../../apps/users/src/app.module.js';
import { httpRequest } from '../support/http.js';
import { type RunningApp, startServiceApp } from '../support/service-app.js';
import { sharedRedis, unique } from './hostile-support.js';

/**
 * User data that looks like serializer markup or prototype keys must round-trip through the
 * cache as plain data. The services run in this process (same code as `main.ts`), so the test
 * can look at `Object.prototype` itself after every write and cached read.
 */
const TRICKY_NAMES = [
  '_function_x|function () { return process.exit(1) }',
  '{"__proto__": {"polluted": "yes"}}',
  '{"constructor": {"prototype": {"polluted": "yes"}}}',
  '__proto__',
  'constructor',
  'prototype',
  '7|{"v":{"id":1},"f":1,"s":1}',
  '{"x":1}',
  '"; DROP TABLE users.users; --',
  'line\u2028separator\u2029and 😀',
];

function assertNotPolluted(): void {
  const probe: Record<string, unknown> = {};
  assert.equal(probe.polluted, undefined, 'Object.prototype was polluted');
  assert.equal(Object.getOwnPropertyNames(Object.prototype).includes('polluted'), false);
  assert.equal(typeof (probe as { isAdmin?: unknown }).isAdmin, 'undefined');
}

describe('deserialization: hostile user data round-trips through the cache as plain data (in-process users and catalog)', () => {
  let users: RunningApp;
  let catalog: RunningApp;
  let redis: Redis;

  before(async () => {
    users = await startServiceApp(UsersModule);
    catalog = await startServiceApp(CatalogModule, { env: { WARM_INTERVAL_MS: '0' } });
    redis = sharedRedis();
  });
  after(async () => {
    redis?.disconnect();
    await users?.close();
    await catalog?.close();
  });

  it('user names: written through, read back cold (MISS) and warm (HIT) unchanged, also through /me', async () => {
    for (const name of TRICKY_NAMES) {
      const email = `deser-${unique()}@example.com`;
      const created = await httpRequest(`${users.url}/users`, { method: 'POST', body: { name, email } });
      assert.equal(created.status, 201, created.text);
      const { id } = created.json as { id: number };
      await redis.unlink(`${users.keyPrefix}users:user:{${id}}:profile`);
      for (const expected of ['MISS', 'HIT']) {
        const read = await httpRequest(`${users.url}/users/${id}`);
        assert.equal(read.headers.get('x-cache'), expected);
        assert.deepEqual(Object.keys(read.json as object).sort(), ['createdAt', 'email', 'id', 'name', 'updatedAt']);
        assert.equal((read.json as { name: string }).name, name);
      }
      const { token } = (await httpRequest(`${users.url}/sessions`, { method: 'POST', body: { email } })).json as { token: string };
      for (const expected of ['MISS', 'HIT']) {
        const me = await httpRequest(`${users.url}/me`, { headers: { authorization: `Bearer ${token}` } });
        assert.equal(me.headers.get('x-cache'), expected);
        assert.equal((me.json as { name: string }).name, name);
      }
      assertNotPolluted();
    }
  });

  it('product names: read through the cache (MISS, HIT) and listed on a cached page unchanged', async () => {
    const category = `deser-${unique()}`;
    const ids: number[] = [];
    for (const name of TRICKY_NAMES) {
      const created = await httpRequest(`${catalog.url}/products`, {
        method: 'POST',
        body: { sku: `DES-${unique()}`, name, category, priceCents: 1, stock: 1 },
      });
      assert.equal(created.status, 201, created.text);
      const { id } = created.json as { id: number };
      ids.push(id);
      await new Promise((resolve) => setTimeout(resolve, 50));
      await redis.unlink(`${catalog.keyPrefix}catalog:product:{${id}}:v`);
      const cold = await httpRequest(`${catalog.url}/products/${id}`);
      const warm = await httpRequest(`${catalog.url}/products/${id}`);
      assert.deepEqual([cold.headers.get('x-cache'), warm.headers.get('x-cache')], ['MISS', 'HIT']);
      assert.equal((warm.json as { name: string }).name, name);
      assertNotPolluted();
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (let i = 0; i < 2; i++) {
      const page = await httpRequest(`${catalog.url}/products?category=${category}&limit=20`);
      assert.deepEqual((page.json as { items: { name: string }[] }).items.map((item) => item.name), TRICKY_NAMES);
    }
    assertNotPolluted();
  });

  for (const adapter of ['fastify', 'express'] as const) {
    it(`${adapter}: a body carrying __proto__ or constructor.prototype is refused with a 4xx and pollutes nothing`, async () => {
      const app = adapter === 'fastify' ? users : await startServiceApp(UsersModule, { adapter });
      try {
        for (const raw of [
          `{"name":"Proto","email":"p-${unique()}@example.com","__proto__":{"polluted":"yes","isAdmin":true}}`,
          `{"name":"Proto","email":"p-${unique()}@example.com","constructor":{"prototype":{"polluted":"yes"}}}`,
          `{"name":{"__proto__":{"polluted":"yes"}},"email":"p-${unique()}@example.com"}`,
        ]) {
          const response = await httpRequest(`${app.url}/users`, { method: 'POST', body: raw });
          assert.ok(response.status >= 400 && response.status < 500, `${raw} → ${response.status} ${response.text}`);
          assert.ok((response.json as { message?: unknown }).message, response.text);
          assertNotPolluted();
        }
      } finally {
        if (app !== users) await app.close();
      }
    });
  }
});
