import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRedisClient, type RedisClient } from '@app/caching';
import { FaultProxy } from '../support/fault-proxy.js';
import { CounterFlusher, WriteBehindHarness } from './write-behind-harness.js';

const MAX_RETRY_DELAY_MS = 5_000;

describe('write-behind consumer started before its Redis connection is up (as at app boot)', () => {
  let h: WriteBehindHarness;
  let proxy: FaultProxy;
  let connecting: RedisClient;
  before(async () => {
    h = await WriteBehindHarness.create();
    // A slow network: the consumer's client takes a few hundred ms to become ready.
    const target = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    proxy = await FaultProxy.start({ targetHost: target.hostname, targetPort: Number(target.port || 6379) });
    await proxy.setMode('latency', { latencyMs: 100 });
    connecting = createRedisClient({ ...h.cachingOptions, redisUrl: proxy.redisUrl });
  });
  after(async () => {
    await h.close();
    connecting.disconnect();
    await proxy.close();
  });

  it('waits for the connection instead of failing and backing off, so entries flush well before a retry delay', async () => {
    await h.consumer('boot', new CounterFlusher(h.schema), { maxRetryDelayMs: MAX_RETRY_DELAY_MS }, connecting).start();
    const startedAt = performance.now();
    await h.queue().enqueue('boot', { key: 'boot:a', n: 3 });
    await h.waitForTotal('boot:', 3, 10_000);
    const flushedAfterMs = performance.now() - startedAt;
    assert.ok(flushedAfterMs < MAX_RETRY_DELAY_MS * 0.7, `first flush after ${Math.round(flushedAfterMs)} ms`);
  });
});
