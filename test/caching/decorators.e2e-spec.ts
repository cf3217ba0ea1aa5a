import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CACHE_MANAGER, type Cache } from '@nestjs/cache-manager';
import { Injectable, type INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import pg from 'pg';
import { CacheEngine, CacheEvict, CachePut, Cacheable, CachingModule, REDIS_CLIENT, type RedisClient } from '@app/caching';
import { uniqueNamespace } from './engine-harness.js';
import { createTestRedis, testRedisConnection } from '../support/test-redis.js';

interface Row {
  id: number;
  name: string;
}

const table = `decorator_rows_${Math.random().toString(36).slice(2, 8)}`;
const db = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 4 });

/** Rows in a Postgres table of this test's own; `reads` counts the SELECTs that reached it. */
@Injectable()
class RowsService {
  reads = 0;

  @Cacheable({ key: ({ keys, args: [id] }) => keys.tagged('row', id as number, 'v'), ttlMs: 60_000, negativeTtlMs: 60_000 })
  async find(id: number): Promise<Row | null> {
    this.reads++;
    const { rows } = await db.query<Row>(`SELECT id, name FROM ${table} WHERE id = $1`, [id]);
    return rows[0] ?? null;
  }

  @CachePut({ key: ({ keys, result }) => keys.tagged('row', (result as Row).id, 'v'), ttlMs: 60_000 })
  async rename(id: number, name: string): Promise<Row> {
    const { rows } = await db.query<Row>(`UPDATE ${table} SET name = $2 WHERE id = $1 RETURNING id, name`, [id, name]);
    return rows[0];
  }

  @CacheEvict({ keys: ({ keys, args: [id] }) => [keys.tagged('row', id as number, 'v')], generations: ['row-list'] })
  async remove(id: number): Promise<void> {
    await db.query(`DELETE FROM ${table} WHERE id = $1`, [id]);
  }
}

describe('@Cacheable / @CachePut / @CacheEvict on a provider (real Redis)', () => {
  let app: INestApplicationContext;
  let rows: RowsService;
  let engine: CacheEngine;

  before(async () => {
    await db.query(`CREATE TABLE ${table} (id int PRIMARY KEY, name text NOT NULL)`);
    await db.query(`INSERT INTO ${table} VALUES (1, 'one')`);
    @Module({
      imports: [CachingModule.forRoot({ ...testRedisConnection(), commandTimeoutMs: 500, isGlobal: true, ...uniqueNamespace() })],
      providers: [RowsService],
    })
    class RowsModule {}
    app = await NestFactory.createApplicationContext(RowsModule, { logger: false });
    await app.init();
    rows = app.get(RowsService);
    engine = app.get(CacheEngine);
    const redis = app.get<RedisClient>(REDIS_CLIENT);
    if (redis.status !== 'ready') await new Promise((resolve) => redis.once('ready', resolve));
  });
  after(async () => {
    await app.close();
    await db.query(`DROP TABLE ${table}`);
    await db.end();
  });

  it('@Cacheable runs the method once for concurrent callers and then serves the cache', async () => {
    const results = await Promise.all(Array.from({ length: 50 }, () => rows.find(1)));
    assert.ok(results.every((row) => row?.name === 'one'));
    await rows.find(1);
    assert.equal(rows.reads, 1);
  });

  it('@Cacheable caches "not found" with negativeTtlMs', async () => {
    const before = rows.reads;
    assert.equal(await rows.find(404), null);
    assert.equal(await rows.find(404), null);
    assert.equal(rows.reads - before, 1);
  });

  it('@CachePut writes the result through, so the next read is the new value without a source read', async () => {
    await rows.find(1);
    const before = rows.reads;
    await rows.rename(1, 'uno');
    assert.deepEqual(await rows.find(1), { id: 1, name: 'uno' });
    assert.equal(rows.reads, before);
  });

  it('@CacheEvict invalidates the key and moves the generation on', async () => {
    await rows.find(1);
    const generation = await engine.generation('row-list');
    await rows.remove(1);
    assert.equal(await rows.find(1), null);
    assert.equal(await engine.generation('row-list'), (generation ?? 0) + 1);
  });
});

describe('@nestjs/cache-manager on the shared client', () => {
  let app: INestApplicationContext;
  const namespace = uniqueNamespace();

  before(async () => {
    @Module({ imports: [CachingModule.forRoot({ ...testRedisConnection(), commandTimeoutMs: 500, isGlobal: true, ...namespace })] })
    class CmModule {}
    app = await NestFactory.createApplicationContext(CmModule, { logger: false });
    const redis = app.get<RedisClient>(REDIS_CLIENT);
    if (redis.status !== 'ready') await new Promise((resolve) => redis.once('ready', resolve));
  });
  after(() => app.close());

  it('stores through the project client, under the project prefix, with millisecond TTLs', async () => {
    const cache = app.get<Cache>(CACHE_MANAGER);
    await cache.set('greeting', { hello: 'world' }, 30_000);
    assert.deepEqual(await cache.get('greeting'), { hello: 'world' });
    const raw = createTestRedis();
    try {
      const key = `${namespace.keyPrefix}${namespace.service}:cm:greeting`;
      const ttlMs = await raw.pttl(key);
      assert.ok(ttlMs > 25_000 && ttlMs <= 30_000, `ttl ${ttlMs}`);
    } finally {
      raw.disconnect();
    }
  });
});
