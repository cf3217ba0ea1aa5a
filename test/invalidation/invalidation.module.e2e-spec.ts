import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Test } from '@nestjs/testing';
import { CacheEventConsumers, CacheEventPublisher, CacheMetrics, CachingModule, InvalidationModule, PgChangeListeners, REDIS_CLIENT } from '@app/caching';
import { waitReady } from '../caching/engine-harness.js';
import { waitUntil } from '../support/wait.js';
import { keyPrefix, recorder, uniqueStream } from './invalidation-harness.js';
import { testRedisConnection } from '../support/test-redis.js';

describe('InvalidationModule in a Nest app', () => {
  it('publishes, consumes, reports pending and lag on /metrics, and stops its consumers and listeners at shutdown', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        CachingModule.forRoot({ ...testRedisConnection(), keyPrefix, service: 'invtest', commandTimeoutMs: 500 }),
        InvalidationModule.forFeature({ streamMaxLength: 1_000, databaseUrl: process.env.DATABASE_URL }),
      ],
    }).compile();
    const app = await moduleRef.init();
    let closed = false;
    try {
      await waitReady(app.get(REDIS_CLIENT)); // the shared client fails fast until it is connected
      const stream = uniqueStream();
      const events = recorder();
      const consumer = await app.get(CacheEventConsumers).consume({ stream, group: 'dashboard', blockMs: 200, handlers: { 'user.updated': events.handler } });
      const listener = await app.get(PgChangeListeners).listen({ channel: 'catalog_products', changelog: 'catalog.cache_invalidations', handle: () => undefined });
      await app.get(CacheEventPublisher).publish(stream, { type: 'user.updated', payload: { id: 1 } });
      await waitUntil(async () => events.seen.length === 1 && (await consumer.stats()).pending === 0, { timeoutMs: 2_000, what: 'the event, acked' });

      const text = await app.get(CacheMetrics).registry.metrics();
      assert.match(text, new RegExp(`cache_event_consumer_pending\\{stream="${stream}",group="dashboard"\\} 0`));
      assert.match(text, new RegExp(`cache_event_consumer_lag\\{stream="${stream}",group="dashboard"\\} 0`));
      assert.match(text, new RegExp(`cache_invalidation_events_total\\{source="stream",channel="${stream}",outcome="handled"\\} 1`));
      assert.ok(listener.listening);

      await app.close();
      closed = true;
      assert.equal(listener.listening, false);
      await assert.rejects(consumer.stats()); // the shared client is closed after the consumers stopped
    } finally {
      if (!closed) await app.close();
    }
  });
});
