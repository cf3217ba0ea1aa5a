import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import fc from 'fast-check';
import { counterValue, createEngineHarness, type EngineHarness, gate } from './engine-harness.js';
import { scanKeys } from '../support/test-redis.js';

describe('CacheEngine on a real Redis', () => {
  let h: EngineHarness;
  before(async () => (h = await createEngineHarness()));
  after(() => h.close());

  /** A cache-aside fill whose factory has read its row and is held before it returns: the race window. */
  async function slowFill(key: string) {
    const factoryStarted = gate();
    const releaseFactory = gate<{ name: string }>();
    const result = h.engine.getOrSet(
      key,
      async () => {
        factoryStarted.open();
        return releaseFactory.promise;
      },
      { ttlMs: 60_000 },
    );
    await factoryStarted.promise;
    return {
      finish(row: { name: string }) {
        releaseFactory.open(row);
        return result;
      },
    };
  }

  it('serves a miss from the factory, then hits with one GET and no factory call', async () => {
    const key = h.engine.keys.tagged('user', 1, 'profile');
    let calls = 0;
    const factory = async () => ({ id: 1, calls: ++calls });
    const first = await h.engine.fetch(key, factory, { ttlMs: 60_000 });
    const second = await h.engine.fetch(key, factory, { ttlMs: 60_000 });
    assert.deepEqual([first.outcome, second.outcome], ['miss', 'hit']);
    assert.deepEqual(second.value, { id: 1, calls: 1 });
    assert.equal(calls, 1);
  });

  it('coalesces 1,000 concurrent callers of a cold key into one factory call', async () => {
    const key = h.engine.keys.key('cold', 'thousand');
    let calls = 0;
    const results = await Promise.all(
      Array.from({ length: 1_000 }, () =>
        h.engine.getOrSet(
          key,
          async () => {
            calls++;
            await sleep(20);
            return 'filled';
          },
          { ttlMs: 60_000 },
        ),
      ),
    );
    assert.equal(calls, 1);
    assert.ok(results.every((value) => value === 'filled'));
    assert.equal(await counterValue(h.metrics, 'cache_coalesced_waits_total'), 999);
    assert.equal(await counterValue(h.metrics, 'cache_reads_total', { outcome: 'miss', namespace: `${h.options.keyPrefix}${h.options.service}:cold` }), 1_000);
  });

  it('lets concurrent reads of a warm key share one GET, and reads after the reply read again', async () => {
    const key = h.engine.keys.key('warm', 'shared');
    await h.engine.getOrSet(key, () => 'v1', { ttlMs: 60_000 });
    const redis = h.engine['redis'] as { get: (key: string) => Promise<string | null> };
    const get = redis.get;
    let gets = 0;
    redis.get = function (this: unknown, ...args: [string]) {
      if (args[0] === key) gets++;
      return get.apply(this, args);
    };
    try {
      const reads = await Promise.all(Array.from({ length: 100 }, () => h.engine.fetch(key, () => 'never', { ttlMs: 60_000 })));
      assert.equal(gets, 1, 'one GET for 100 concurrent reads');
      assert.ok(reads.every((read) => read.value === 'v1' && read.outcome === 'hit'));
      await h.engine.set(key, 'v2', { ttlMs: 60_000 });
      assert.equal(await h.engine.getOrSet(key, () => 'never', { ttlMs: 60_000 }), 'v2', 'a read after the reply sees the newer value');
      assert.equal(gets, 2);
    } finally {
      redis.get = get;
    }
  });

  it('does not let a fill that started before a write-through overwrite the newer value (stale-set guard)', async () => {
    const key = h.engine.keys.tagged('user', 2, 'profile');
    const fill = await slowFill(key);
    assert.equal(await h.engine.set(key, { name: 'new' }, { ttlMs: 60_000 }), true);
    assert.deepEqual(await fill.finish({ name: 'old' }), { name: 'old' }); // its caller still gets what it read
    assert.deepEqual(await h.engine.get(key), { name: 'new' });
  });

  it('does not let a fill that started before an invalidation resurrect the deleted value', async () => {
    const key = h.engine.keys.tagged('user', 3, 'profile');
    await h.engine.set(key, { name: 'before' }, { ttlMs: 60_000 });
    await h.engine.delete(key);
    const fill = await slowFill(key);
    await h.engine.delete(key);
    await fill.finish({ name: 'read before the delete' });
    assert.equal(await h.engine.get(key), undefined);
  });

  it('serves the stale value within grace while the factory fails (fail-safe), then gives up after grace', async () => {
    const key = h.engine.keys.key('failsafe', 1);
    const options = { ttlMs: 100, graceMs: 600 };
    await h.engine.getOrSet(key, () => 'good', options);
    await sleep(150);
    const failing = async () => {
      throw new Error('database down');
    };
    const stale = await h.engine.fetch(key, failing, options);
    assert.deepEqual(stale, { value: 'good', outcome: 'stale' });
    await sleep(700);
    await assert.rejects(h.engine.fetch(key, failing, options), /database down/);
  });

  it('answers stale at once and refreshes in the background (stale-while-revalidate)', async () => {
    const key = h.engine.keys.key('swr', 1);
    const options = { ttlMs: 100, graceMs: 5_000 };
    await h.engine.getOrSet(key, () => 'v1', options);
    await sleep(150);
    const refreshStarted = gate();
    const releaseRefresh = gate();
    const read = await h.engine.fetch(
      key,
      async () => {
        refreshStarted.open();
        await releaseRefresh.promise;
        return 'v2';
      },
      options,
    );
    assert.deepEqual(read, { value: 'v1', outcome: 'stale' });
    await refreshStarted.promise;
    releaseRefresh.open();
    await h.engine.beforeApplicationShutdown(); // waits for background refreshes
    assert.equal(await h.engine.get(key), 'v2');
  });

  it('caches "not found" for negativeTtlMs only, and does not store null without it', async () => {
    const key = h.engine.keys.tagged('user', 404, 'profile');
    let calls = 0;
    const missing = async () => {
      calls++;
      return null;
    };
    await h.engine.getOrSet(key, missing, { ttlMs: 60_000 });
    await h.engine.getOrSet(key, missing, { ttlMs: 60_000 });
    assert.equal(calls, 2);
    await h.engine.getOrSet(key, missing, { ttlMs: 60_000, negativeTtlMs: 200 });
    const cached = await h.engine.fetch(key, missing, { ttlMs: 60_000, negativeTtlMs: 200 });
    assert.deepEqual(cached, { value: null, outcome: 'hit' });
    assert.equal(calls, 3);
    await sleep(250);
    await h.engine.getOrSet(key, missing, { ttlMs: 60_000, negativeTtlMs: 200 });
    assert.equal(calls, 4);
  });

  it('invalidates exactly the keys of a tag', async () => {
    const shoes = [1, 2, 3].map((id) => h.engine.keys.tagged('product', id, 'detail'));
    const hats = [4, 5].map((id) => h.engine.keys.tagged('product', id, 'detail'));
    for (const key of shoes) await h.engine.getOrSet(key, () => key, { ttlMs: 60_000, tags: ['category:shoes'] });
    for (const key of hats) await h.engine.getOrSet(key, () => key, { ttlMs: 60_000, tags: ['category:hats'] });
    assert.equal(await h.engine.invalidateTags('category:shoes'), 3);
    assert.deepEqual(await h.engine.getMany([...shoes, ...hats]), [undefined, undefined, undefined, ...hats]);
  });

  it('moves a generation forward so every key of the old one is never read again', async () => {
    const pageKey = async (page: number) => h.engine.keys.key('user-list', `v${await h.engine.generation('user-list')}`, page);
    const before = await pageKey(1);
    await h.engine.getOrSet(before, () => ['ada', 'bob'], { ttlMs: 60_000 });
    const other = h.engine.keys.key('other-list', 'v0', 1);
    await h.engine.getOrSet(other, () => ['untouched'], { ttlMs: 60_000 });
    await h.engine.bumpGeneration('user-list');
    const afterBump = await pageKey(1);
    assert.notEqual(afterBump, before);
    assert.equal(await h.engine.get(afterBump), undefined);
    assert.deepEqual(await h.engine.get(other), ['untouched']);
  });

  it('treats corrupt bytes at a key as a miss and overwrites them', async () => {
    const key = h.engine.keys.key('corrupt', 1);
    await h.raw.set(key, '\u0000\u00ffnot an entry');
    const read = await h.engine.fetch(key, () => 'repaired', { ttlMs: 60_000 });
    assert.deepEqual(read, { value: 'repaired', outcome: 'miss' });
    assert.equal(await h.engine.get(key), 'repaired');
  });

  it('serves values over the size limit without storing them, and counts them', async () => {
    const small = await createEngineHarness({ engine: { maxValueBytes: 1_000 } });
    try {
      const key = small.engine.keys.key('big', 1);
      const big = 'x'.repeat(5_000);
      assert.equal(await small.engine.getOrSet(key, () => big, { ttlMs: 60_000 }), big);
      assert.equal(await small.raw.exists(key), 0);
      assert.equal(await counterValue(small.metrics, 'cache_oversized_values_total'), 1);
    } finally {
      await small.close();
    }
  });

  it('round-trips hostile user data as plain data', async () => {
    const key = h.engine.keys.key('hostile', 1);
    const value = JSON.parse('{"__proto__":{"polluted":true},"fn":"_function_evil|return 1"}');
    await h.engine.set(key, value, { ttlMs: 60_000 });
    const back = (await h.engine.get<Record<string, unknown>>(key))!;
    assert.equal(back.fn, '_function_evil|return 1');
    assert.ok(Object.hasOwn(back, '__proto__'));
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('keeps every key written from hostile input inside the namespace', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: fc.constantFrom(':', '{', '}', '*', '?', '[', ']', ' ', 'é', 'a') }), async (input) => {
        await h.engine.set(h.engine.keys.key('fuzz', input), input, { ttlMs: 60_000 });
      }),
      { numRuns: 200 },
    );
    // SCAN on every master in the cluster pass: a cluster client's SCAN sees one node only.
    const keys = (await scanKeys(h.raw, `${h.options.keyPrefix}*`)).filter((k) => k.includes(':fuzz:'));
    assert.ok(keys.length > 10);
    for (const key of keys) assert.ok(key.startsWith(h.engine.keys.namespace + 'fuzz:'), key);
  });
});
