import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FaultProxy } from '../support/fault-proxy.js';
import { RedisServer } from '../support/redis-server.js';
import { singleNodeOnly } from '../support/test-redis.js';
import { waitUntil } from '../support/wait.js';
import { counterValue, createEngineHarness, type EngineHarness } from './engine-harness.js';

const COMMAND_TIMEOUT_MS = 200;

async function timed<T>(run: () => Promise<T>): Promise<{ value: T; elapsedMs: number }> {
  const startedAt = performance.now();
  const value = await run();
  return { value, elapsedMs: performance.now() - startedAt };
}

describe('engine fails open when Redis is in trouble (private redis-server)', singleNodeOnly('a private redis-server behind a fault proxy, the same in both passes'), () => {
  let redis: RedisServer;
  let proxy: FaultProxy;
  let h: EngineHarness;

  before(async () => {
    redis = await RedisServer.start();
    proxy = await FaultProxy.start({ targetPort: redis.port });
    h = await createEngineHarness({ redisUrl: proxy.redisUrl, commandTimeoutMs: COMMAND_TIMEOUT_MS });
  });
  after(async () => {
    await h.close();
    await proxy.close();
    await redis.close();
  });

  it('serves the factory value within the command timeout while Redis accepts connections but never answers', async () => {
    const key = h.engine.keys.key('blackhole', 1);
    await h.engine.getOrSet(key, () => 'cached', { ttlMs: 60_000 });
    await proxy.setMode('blackhole');
    try {
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => timed(() => h.engine.fetch(h.engine.keys.key('blackhole', i + 2), () => `from source ${i}`, { ttlMs: 60_000 }))),
      );
      for (const [i, { value, elapsedMs }] of results.entries()) {
        assert.deepEqual(value, { value: `from source ${i}`, outcome: 'bypass' });
        assert.ok(elapsedMs < COMMAND_TIMEOUT_MS + 300, `answered after ${elapsedMs} ms`);
      }
      // once the circuit is open, calls skip Redis at once
      const later = await timed(() => h.engine.getOrSet(key, () => 'from source', { ttlMs: 60_000 }));
      assert.equal(later.value, 'from source');
      assert.ok(later.elapsedMs < 50, `open circuit answered after ${later.elapsedMs} ms`);
      assert.ok((await counterValue(h.metrics, 'cache_errors_total')) >= 1);
    } finally {
      await proxy.setMode('pass');
    }
  });

  it('serves the factory value at once while Redis is stopped, and hits again after it restarts', async () => {
    const key = h.engine.keys.key('stopped', 1);
    await redis.stop();
    try {
      const down = await timed(() => h.engine.fetch(key, () => 'from source', { ttlMs: 60_000 }));
      assert.deepEqual(down.value, { value: 'from source', outcome: 'bypass' });
      assert.ok(down.elapsedMs < COMMAND_TIMEOUT_MS + 300, `answered after ${down.elapsedMs} ms`);
    } finally {
      await redis.restart();
    }
    // no restart of the app: the client reconnects and the circuit closes again
    const deadline = Date.now() + 10_000;
    let outcome = '';
    while (Date.now() < deadline && outcome !== 'hit') {
      outcome = (await h.engine.fetch(key, () => 'refilled', { ttlMs: 60_000 })).outcome;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.equal(outcome, 'hit');
  });

  it('replays the invalidations Redis missed once it answers again: writes made while it was unreachable leave no stale value behind', async () => {
    const options = { ttlMs: 60_000 };
    const deleted = h.engine.keys.key('missed', 'deleted');
    const written = h.engine.keys.key('missed', 'written');
    const tagged = h.engine.keys.key('missed', 'tagged');
    await h.engine.getOrSet(deleted, () => 'old', options);
    await h.engine.getOrSet(written, () => 'old', options);
    await h.engine.getOrSet(tagged, () => 'old', { ...options, tags: ['missed-tag'] });
    const generation = await h.engine.generation('missed-list');
    // Unreachable, not stopped: Redis keeps its data, as after a partition.
    await proxy.setMode('refuse');
    try {
      await h.engine.delete(deleted);
      await h.engine.set(written, 'new', options);
      await h.engine.invalidateTags('missed-tag');
      await h.engine.bumpGeneration('missed-list');
      assert.equal(await counterValue(h.metrics, 'cache_missed_invalidations_pending'), 4);
      assert.equal(await counterValue(h.metrics, 'cache_missed_invalidations_total', { outcome: 'missed' }), 4);
      const direct = redis.client();
      try {
        assert.equal((await direct.mget(deleted, written, tagged)).filter((raw) => raw?.includes('"old"')).length, 3, 'Redis lost the old values: nothing to prove');
      } finally {
        direct.disconnect();
      }
    } finally {
      await proxy.setMode('pass');
    }
    await waitUntil(async () => (await counterValue(h.metrics, 'cache_missed_invalidations_pending')) === 0, { timeoutMs: 10_000, what: 'the replay' });
    assert.equal(await counterValue(h.metrics, 'cache_missed_invalidations_total', { outcome: 'replayed' }), 4);
    assert.equal(await h.engine.get(deleted), undefined);
    assert.equal(await h.engine.get(written), undefined, 'the value the failed write-through replaced is still cached');
    assert.equal(await h.engine.get(tagged), undefined);
    assert.equal(await h.engine.generation('missed-list'), generation! + 1);
    assert.equal(await h.engine.getOrSet(written, () => 'new', options), 'new');
  });

  it('does not replay an invalidation Redis refuses for good (foreign data at the key), nor read around the cache for it', async () => {
    const foreign = h.engine.keys.key('missed', 'foreign');
    const cached = h.engine.keys.key('missed', 'cached');
    await h.raw.hset(foreign, 'not', 'a cache entry');
    await h.engine.getOrSet(cached, () => 'cached', { ttlMs: 60_000 });
    const errorsBefore = await counterValue(h.metrics, 'cache_errors_total', { operation: 'invalidate' });
    await h.engine.delete(foreign);
    assert.equal(await counterValue(h.metrics, 'cache_errors_total', { operation: 'invalidate' }), errorsBefore + 1);
    assert.equal(await counterValue(h.metrics, 'cache_missed_invalidations_pending'), 0);
    assert.equal((await h.engine.fetch(cached, () => 'from source', { ttlMs: 60_000 })).outcome, 'hit');
  });
});

describe('Redis commands per read (private redis-server, INFO commandstats)', singleNodeOnly('a private redis-server, the same in both passes'), () => {
  let redis: RedisServer;
  let h: EngineHarness;
  before(async () => {
    redis = await RedisServer.start();
    h = await createEngineHarness({ redisUrl: `redis://127.0.0.1:${redis.port}` });
  });
  after(async () => {
    await h.close();
    await redis.close();
  });

  const commandCount = async () => {
    const info = await h.raw.info('commandstats');
    return [...info.matchAll(/^cmdstat_(\w+):calls=(\d+)/gm)]
      .filter(([, name]) => !['info', 'ping', 'client', 'hello', 'select', 'config'].includes(name))
      .reduce((sum, [, , calls]) => sum + Number(calls), 0);
  };

  it('sends exactly one command for a hit and at most four for a miss', async () => {
    const key = h.engine.keys.tagged('product', 1, 'detail');
    const beforeMiss = await commandCount();
    await h.engine.getOrSet(key, () => ({ id: 1 }), { ttlMs: 60_000 });
    const missCommands = (await commandCount()) - beforeMiss;
    const beforeHit = await commandCount();
    await h.engine.getOrSet(key, () => ({ id: 1 }), { ttlMs: 60_000 });
    assert.equal((await commandCount()) - beforeHit, 1);
    assert.ok(missCommands <= 4, `${missCommands} commands for a miss`);
  });
});

describe('adaptive TTL and hot keys', () => {
  let h: EngineHarness;
  before(async () => (h = await createEngineHarness()));
  after(() => h.close());

  it('gives a key read often in this process the hot TTL, and lists it among the hot keys', async () => {
    const adaptiveTtl = { hotHitsPerMinute: 50, hotTtlMs: 5_000 };
    const cold = h.engine.keys.key('adaptive', 'cold');
    const hot = h.engine.keys.key('adaptive', 'hot');
    await h.engine.getOrSet(cold, () => 'c', { ttlMs: 600_000, adaptiveTtl });
    for (let i = 0; i < 60; i++) await h.engine.get(hot).then(() => h.engine.fetch(hot, () => 'h', { ttlMs: 600_000, adaptiveTtl }));
    await h.engine.delete(hot);
    await h.engine.getOrSet(hot, () => 'h', { ttlMs: 600_000, adaptiveTtl });
    assert.ok((await h.raw.pttl(cold)) > 500_000);
    assert.ok((await h.raw.pttl(hot)) <= 5_000);
    assert.equal(h.engine.hotKeys(1)[0].key, hot);
  });
});
