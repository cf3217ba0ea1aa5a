import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { EntityManager } from 'typeorm';
import {
  CachingModule,
  REDIS_CLIENT,
  type WriteBehindConsumer,
  type WriteBehindEntry,
  type WriteBehindFlusher,
  WriteBehindHealthIndicator,
  WriteBehindModule,
  WriteBehindMonitor,
  WriteBehindQueue,
  writeBehindConsumerToken,
} from '@app/caching';
import { uniqueNamespace } from '../caching/engine-harness.js';
import { waitUntil } from '../support/wait.js';
import { type CounterDelta, CounterFlusher, WriteBehindHarness } from './write-behind-harness.js';
import { type TestRedis, testRedisConnection, testRedisReady } from '../support/test-redis.js';

describe('WriteBehindModule in a Nest app', () => {
  let h: WriteBehindHarness;
  before(async () => (h = await WriteBehindHarness.create()));
  after(() => h.close());

  it('starts the registered consumers on bootstrap, exposes queue, monitor and health, and stops on close', async () => {
    const schema = h.schema;
    @Injectable()
    class ViewsFlusher implements WriteBehindFlusher<CounterDelta> {
      private readonly counters = new CounterFlusher(schema);
      parse = (payload: unknown) => this.counters.parse(payload);
      flush = (entries: readonly WriteBehindEntry<CounterDelta>[], tx: EntityManager) => this.counters.flush(entries, tx);
    }
    @Injectable()
    class StockFlusher extends ViewsFlusher {}
    const options = { appliedEntriesTable: 'catalog.applied_stream_batches', blockMs: 200 };
    @Module({
      imports: [
        WriteBehindModule.forFeature({ topic: 'views', flusher: ViewsFlusher, options }),
        WriteBehindModule.forFeature({ topic: 'stock', flusher: StockFlusher, options }),
      ],
    })
    class FeatureModule {}

    const namespace = uniqueNamespace();
    const moduleRef = await Test.createTestingModule({
      imports: [
        CachingModule.forRoot({ ...testRedisConnection(), commandTimeoutMs: 1_000, ...namespace }),
        TypeOrmModule.forRoot({ type: 'postgres', url: process.env.DATABASE_URL }),
        FeatureModule,
      ],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    // The shared client connects in the background: a producer refuses to queue writes before it is ready (a 503 in an app).
    await testRedisReady(app.get<TestRedis>(REDIS_CLIENT));
    const queue = app.get(WriteBehindQueue);
    for (let i = 0; i < 20; i++) await queue.enqueue(i % 2 ? 'views' : 'stock', { key: `nest:${i % 2 ? 'views' : 'stock'}`, n: 1 });
    await waitUntil(async () => (await h.total('nest:')) === 20, { timeoutMs: 5_000, what: 'both topics flushed' });

    assert.deepEqual(Object.keys(await app.get(WriteBehindMonitor).stats()).sort(), ['stock', 'views']);
    const health = await app.get(WriteBehindHealthIndicator).check();
    assert.equal(health['write-behind'].status, 'up');
    const views = app.get<WriteBehindConsumer>(writeBehindConsumerToken('views'), { strict: false });
    assert.equal(views.keys.stream, `${namespace.keyPrefix}${namespace.service}:wb:{views}`);

    await app.close();
    assert.equal(await h.total('nest:'), 20);
  });
});
