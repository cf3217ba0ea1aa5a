import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { HealthIndicatorService } from '@nestjs/terminus';
import { CacheMetrics, WriteBehindHealthIndicator, WriteBehindMonitor, WriteBehindQueue, WriteBehindUnavailableError, writeBehindKeys } from '@app/caching';
import { testRedisMode } from '../support/test-redis.js';
import { waitUntil } from '../support/wait.js';
import { APPLIED_TABLE, CounterFlusher, heldFlusher, metricValue, WriteBehindHarness } from './write-behind-harness.js';

describe('write-behind on real Redis and Postgres', () => {
  let h: WriteBehindHarness;
  before(async () => (h = await WriteBehindHarness.create()));
  after(() => h.close());

  it('with minReplicas, accepts an entry only once that many replicas have it (WAIT), and refuses it fast otherwise', async () => {
    // The shared single node has no replica; each master of the test cluster has one.
    const replicas = testRedisMode() === 'cluster' ? 1 : 0;
    const durable = new WriteBehindQueue(h.redis, h.namespace, { minReplicas: replicas || 1, replicaTimeoutMs: 100 });
    const tooMany = new WriteBehindQueue(h.redis, h.namespace, { minReplicas: replicas + 1, replicaTimeoutMs: 100 });
    if (replicas) assert.match(await durable.enqueue('durable', { key: 'durable:a', n: 1 }), /^\d+-\d+$/);
    const startedAt = performance.now();
    await assert.rejects(tooMany.enqueue('durable', { key: 'durable:b', n: 1 }), (error: unknown) => {
      assert.ok(error instanceof WriteBehindUnavailableError);
      assert.match(error.message, /replica\(s\) acknowledged within 100 ms/);
      return true;
    });
    assert.ok(performance.now() - startedAt < 600, 'refused within the replica timeout');
  });

  it('flushes 1,000 enqueued deltas exactly once, in a handful of transactions', async () => {
    const topic = 'bulk';
    const queue = h.queue();
    const ids = await Promise.all(Array.from({ length: 1_000 }, (_, i) => queue.enqueue(topic, { key: `bulk:${i % 10}`, n: 1 })));
    assert.equal(new Set(ids).size, 1_000);
    const flusher = new CounterFlusher(h.schema);
    const consumer = h.consumer(topic, flusher, { batchSize: 200, claimIntervalMs: 60_000 }); // no maintenance: the ledger is read below
    await consumer.start();
    await h.waitForTotal('bulk:', 1_000);
    await waitUntil(async () => (await h.pending(consumer.keys.stream)) === 0, { timeoutMs: 5_000, what: 'every entry acknowledged' });

    assert.equal(await metricValue(h.metrics, 'write_behind_entries_flushed_total', { topic }), 1_000);
    assert.ok(flusher.batches.length <= 6, `${flusher.batches.length} transactions for 1,000 entries in batches of 200`);
    assert.ok(flusher.batches.every((batch) => batch.length <= 200));
    const [row] = await h.dataSource.query(
      `SELECT (SELECT count(*) FROM ${APPLIED_TABLE} WHERE stream = $1)::int AS batches,
              (SELECT count(DISTINCT id) FROM ${APPLIED_TABLE}, unnest(entry_ids) AS id WHERE stream = $1)::int AS distinct_ids`,
      [consumer.keys.stream],
    );
    assert.equal(row.distinct_ids, 1_000, 'every entry id recorded as applied');
    assert.equal(row.batches, flusher.batches.length, 'one ledger row per flushed batch');
  });

  it('flushes the last, partial batch of a backlog at once, without waiting flushIntervalMs for it to fill', async () => {
    const topic = 'backlog';
    const queue = h.queue();
    for (let i = 0; i < 25; i++) await queue.enqueue(topic, { key: 'backlog:a', n: 1 });
    const flusher = new CounterFlusher(h.schema);
    // A lingering read would hold the last 5 entries for one blockMs (2 s).
    const consumer = h.consumer(topic, flusher, { batchSize: 10, flushIntervalMs: 10_000, blockMs: 2_000 });
    await consumer.start();
    await h.waitForTotal('backlog:', 25, 1_000);
    assert.deepEqual(flusher.batches.map((batch) => batch.length), [10, 10, 5]);

    // Caught up: a lone entry now waits (up to flushIntervalMs) for company, as configured.
    await queue.enqueue(topic, { key: 'backlog:a', n: 1 });
    await sleep(500);
    assert.equal(await h.total('backlog:'), 25, 'the lone entry is still lingering');
    await consumer.stop();
  });

  it('reads the next batch of a backlog while the current one flushes, and drains what it read ahead on shutdown', async () => {
    const topic = 'readahead';
    const queue = h.queue();
    for (let i = 0; i < 25; i++) await queue.enqueue(topic, { key: 'readahead:a', n: 1 });
    const held = heldFlusher(h.schema);
    const consumer = h.consumer(topic, held.flusher, { batchSize: 10, flushIntervalMs: 10_000 });
    await consumer.start();
    await held.flushing;
    await waitUntil(async () => (await consumer.stats()).pending === 20, { timeoutMs: 2_000, what: 'the second batch read during the first flush' });
    assert.equal((await consumer.stats()).undelivered, 5);

    const stopped = consumer.stop();
    held.release();
    await stopped;
    assert.equal(await h.total('readahead:'), 20, 'the batch being flushed and the one read ahead, each once');
    assert.deepEqual(held.flusher.batches.map((batch) => batch.length), [10, 10]);
    const stats = await consumer.stats();
    assert.equal(stats.pending, 0, 'both acknowledged before stop() resolved');
    assert.equal(stats.undelivered, 5, 'the rest was never read');
  });

  it('forgets ledger batches once the stream is trimmed past them, and keeps what an entry could come back to', async () => {
    const topic = 'forget';
    const queue = h.queue();
    const consumer = h.consumer(topic, new CounterFlusher(h.schema), { batchSize: 10, claimIntervalMs: 100 });
    const batches = async () =>
      ((await h.dataSource.query(`SELECT count(*)::int AS n FROM ${APPLIED_TABLE} WHERE stream = $1`, [consumer.keys.stream])) as { n: number }[])[0].n;
    await consumer.start();
    for (let round = 1; round <= 3; round++) {
      for (let i = 0; i < 10; i++) await queue.enqueue(topic, { key: 'forget:a', n: 1 });
      await h.waitForTotal('forget:', 10 * round);
      await sleep(5); // the next batch starts in a later millisecond
    }
    await waitUntil(async () => (await batches()) === 1, { timeoutMs: 3_000, what: 'the two older batches forgotten' });
    const [[lastId]] = (await h.raw.xrevrange(consumer.keys.stream, '+', '-', 'COUNT', 1)) as [string, string[]][];
    const [{ ids }] = (await h.dataSource.query(`SELECT entry_ids AS ids FROM ${APPLIED_TABLE} WHERE stream = $1`, [consumer.keys.stream])) as { ids: string[] }[];
    assert.ok(ids.includes(lastId), 'the latest batch is still recorded');
    await consumer.stop();
  });

  it('does not count twice an entry redelivered after a crash between COMMIT and XACK', async () => {
    const topic = 'redeliver';
    const queue = h.queue();
    for (let i = 0; i < 50; i++) await queue.enqueue(topic, { key: 'redeliver:a', n: 1 });

    const lostAcks = await h.client();
    lostAcks.xack = async () => {
      throw new Error('connection lost before XACK'); // the process "dies" right after COMMIT
    };
    const first = h.consumer(topic, new CounterFlusher(h.schema), { claimIdleMs: 60_000 }, lostAcks);
    await first.start();
    await h.waitForTotal('redeliver:', 50);
    await first.stop();
    assert.equal(await h.pending(first.keys.stream), 50, 'committed but never acknowledged');

    const survivorMetrics = new CacheMetrics();
    const survivor = h.consumer(topic, new CounterFlusher(h.schema), { claimIdleMs: 100, claimIntervalMs: 100 }, h.redis, survivorMetrics);
    await survivor.start();
    await waitUntil(async () => (await h.pending(survivor.keys.stream)) === 0, { timeoutMs: 5_000, what: 'the survivor to claim and acknowledge' });
    assert.equal(await h.total('redeliver:'), 50);
    assert.equal(await metricValue(survivorMetrics, 'write_behind_duplicates_skipped_total', { topic }), 50);
    assert.equal(await metricValue(survivorMetrics, 'write_behind_entries_flushed_total', { topic }), 0);
  });

  it('applies once what two live consumers both hold: a slow one mid-flush, and one that claimed its entries meanwhile', async () => {
    const topic = 'contended';
    const queue = h.queue();
    for (let i = 0; i < 50; i++) await queue.enqueue(topic, { key: 'contended:a', n: 1 });
    const held = heldFlusher(h.schema); // holds its flush inside the transaction, before COMMIT
    const slow = h.consumer(topic, held.flusher, { claimIdleMs: 60_000 });
    await slow.start();
    await held.flushing;

    const claimerMetrics = new CacheMetrics();
    const claimerFlusher = new CounterFlusher(h.schema);
    const claimer = h.consumer(topic, claimerFlusher, { consumerName: 'claimer', claimIdleMs: 100, claimIntervalMs: 100 }, h.redis, claimerMetrics);
    await claimer.start();
    // The claimer takes the entries over (XAUTOCLAIM) and tries to flush them while the slow consumer still holds them.
    await waitUntil(async () => (await h.pendingOf(slow.keys.stream, 'claimer')) === 50, { timeoutMs: 5_000, what: 'the claimer to own the 50 entries' });
    await sleep(300);
    assert.equal(await h.total('contended:'), 0, 'neither has committed: the claimer waits for the slow one');
    held.release();
    await waitUntil(async () => (await h.pending(slow.keys.stream)) === 0, { timeoutMs: 5_000, what: 'both to finish' });
    assert.equal(await h.total('contended:'), 50, 'applied once');
    assert.equal(await metricValue(claimerMetrics, 'write_behind_duplicates_skipped_total', { topic }), 50);
    assert.deepEqual(claimerFlusher.batches, [], 'the claimer applied nothing');
  });

  it('dead-letters a poison entry and an invalid one while the rest of their batch is flushed', async () => {
    const topic = 'poison';
    const queue = h.queue();
    const { stream, deadLetters } = writeBehindKeys(h.namespace, topic);
    for (let i = 0; i < 10; i++) await queue.enqueue(topic, { key: 'poison:ok', n: 1 });
    const poisonId = await queue.enqueue(topic, { key: 'poison:bad', n: 1 });
    const invalidId = await queue.enqueue(topic, { key: 'poison:ok', n: 'one' });
    const notJsonId = await h.raw.xadd(stream, '*', 'p', '{not json');
    for (let i = 0; i < 10; i++) await queue.enqueue(topic, { key: 'poison:ok', n: 1 });

    const flusher = new CounterFlusher(h.schema, (entries) => {
      if (entries.some((e) => e.payload.key === 'poison:bad')) throw new RangeError('counter poison:bad is out of range');
    });
    const consumer = h.consumer(topic, flusher, { batchSize: 100, maxDeliveries: 3, claimIdleMs: 100, claimIntervalMs: 50 });
    await consumer.start();
    await h.waitForTotal('poison:ok', 20);
    await waitUntil(async () => (await h.raw.xlen(deadLetters)) === 3, { timeoutMs: 10_000, what: 'three dead letters' });
    await waitUntil(async () => (await h.pending(stream)) === 0, { timeoutMs: 5_000, what: 'nothing pending' });

    const letters = new Map(
      (await h.raw.xrange(deadLetters, '-', '+')).map(([, fields]) => {
        const record = Object.fromEntries(fields.flatMap((_, i) => (i % 2 ? [] : [[fields[i], fields[i + 1]]])));
        return [record.entryId, record];
      }),
    );
    assert.deepEqual(
      { reason: letters.get(poisonId)?.reason, deliveries: letters.get(poisonId)?.deliveries, error: letters.get(poisonId)?.error },
      { reason: 'failed', deliveries: '3', error: 'counter poison:bad is out of range' },
    );
    assert.equal(letters.get(invalidId)?.reason, 'invalid');
    assert.equal(letters.get(invalidId)?.p, JSON.stringify({ key: 'poison:ok', n: 'one' }), 'the original payload is kept');
    assert.equal(letters.get(notJsonId!)?.reason, 'invalid');
    assert.equal(await h.total('poison:bad'), 0);
    assert.equal(await h.total('poison:ok'), 20);
  });

  it('dead-letters without flushing an entry claimed with more deliveries than allowed (a consumer-crashing entry)', async () => {
    const topic = 'crashloop';
    const { stream, deadLetters } = writeBehindKeys(h.namespace, topic);
    await h.raw.xgroup('CREATE', stream, 'write-behind', '0', 'MKSTREAM');
    const id = await h.queue().enqueue(topic, { key: 'crashloop:a', n: 1 });
    await h.raw.xreadgroup('GROUP', 'write-behind', 'crashed', 'COUNT', 1, 'STREAMS', stream, '>');
    await h.raw.xclaim(stream, 'write-behind', 'crashed', 0, id, 'RETRYCOUNT', 5); // it already took five consumers down

    const flusher = new CounterFlusher(h.schema);
    const consumer = h.consumer(topic, flusher, { maxDeliveries: 5, claimIdleMs: 50, claimIntervalMs: 50 });
    await consumer.start();
    await waitUntil(async () => (await h.raw.xlen(deadLetters)) === 1, { timeoutMs: 5_000, what: 'a dead letter' });
    const [[, fields]] = await h.raw.xrange(deadLetters, '-', '+');
    assert.deepEqual(fields.slice(0, 2), ['entryId', id]);
    assert.ok(fields.includes('max-deliveries'));
    assert.deepEqual(flusher.batches, [], 'the flush handler never saw it');
    assert.equal(await h.pending(stream), 0);
  });

  it('drains on shutdown: the batch being flushed commits and is acknowledged before stop() resolves, then reading stops', async () => {
    const topic = 'drain';
    const queue = h.queue();
    for (let i = 0; i < 10; i++) await queue.enqueue(topic, { key: 'drain:a', n: 1 });
    const held = heldFlusher(h.schema);
    const consumer = h.consumer(topic, held.flusher);
    await consumer.start();
    await held.flushing;
    const stopped = consumer.stop();
    await sleep(300);
    assert.equal(await h.total('drain:'), 0, 'still flushing');
    held.release();
    await stopped;

    assert.equal(await h.total('drain:'), 10);
    assert.equal(await h.pending(consumer.keys.stream), 0, 'acknowledged before stop() resolved');
    await queue.enqueue(topic, { key: 'drain:a', n: 1 });
    await sleep(400);
    const stats = await consumer.stats();
    assert.equal(stats.undelivered, 1, 'a stopped consumer reads nothing more; the entry waits in the stream');
    assert.equal(await h.total('drain:'), 10);
  });

  it('reports length, pending, undelivered, ages and lag, and health turns down past its thresholds', async () => {
    const topic = 'figures';
    const { stream } = writeBehindKeys(h.namespace, topic);
    await h.raw.xgroup('CREATE', stream, 'write-behind', '0', 'MKSTREAM');
    const queue = h.queue();
    const firstAtMs = Date.now();
    await queue.enqueue(topic, { key: 'figures:a', n: 1 });
    await sleep(300);
    for (let i = 0; i < 4; i++) await queue.enqueue(topic, { key: 'figures:a', n: 1 });
    await h.raw.xreadgroup('GROUP', 'write-behind', 'slow', 'COUNT', 3, 'STREAMS', stream, '>'); // 3 delivered, never acknowledged

    const metrics = new CacheMetrics();
    const consumer = h.consumer(topic, new CounterFlusher(h.schema), { maxHealthyPending: 2, maxHealthyLagMs: 60_000, claimIdleMs: 200, claimIntervalMs: 100 }, h.redis, metrics);
    const stats = await consumer.stats();
    const elapsedMs = Date.now() - firstAtMs;
    assert.deepEqual({ length: stats.length, pending: stats.pending, undelivered: stats.undelivered }, { length: 5, pending: 3, undelivered: 2 });
    assert.ok(stats.oldestPendingAgeMs >= 250 && stats.oldestPendingAgeMs <= elapsedMs + 50, `oldest pending ${stats.oldestPendingAgeMs} ms, ${elapsedMs} ms elapsed`);
    assert.ok(stats.lagMs >= stats.oldestPendingAgeMs);
    assert.equal(stats.lastFlushAt, null);

    const monitor = new WriteBehindMonitor();
    monitor.register(consumer);
    const health = new WriteBehindHealthIndicator(new HealthIndicatorService(), monitor);
    const down = await health.check();
    assert.equal(down['write-behind'].status, 'down');
    assert.match(String(down['write-behind'].message), /figures: 3 pending entries \(max 2\)/);

    await consumer.start(); // claims the slow consumer's 3 once idle, reads the other 2
    await h.waitForTotal('figures:', 5);
    await waitUntil(async () => (await consumer.stats()).pending === 0, { timeoutMs: 5_000, what: 'nothing pending' });
    const caughtUp = await consumer.stats();
    assert.deepEqual({ pending: caughtUp.pending, undelivered: caughtUp.undelivered, oldestPendingAgeMs: caughtUp.oldestPendingAgeMs, lagMs: caughtUp.lagMs }, {
      pending: 0,
      undelivered: 0,
      oldestPendingAgeMs: 0,
      lagMs: 0,
    });
    assert.ok(caughtUp.lastFlushAt instanceof Date);
    assert.equal((await health.check())['write-behind'].status, 'up');
  });

  it('trims flushed entries from the stream, never a pending one', async () => {
    const topic = 'trim';
    const { stream } = writeBehindKeys(h.namespace, topic);
    await h.raw.xgroup('CREATE', stream, 'write-behind', '0', 'MKSTREAM');
    const queue = h.queue();
    const ids: string[] = [];
    for (let i = 0; i < 300; i++) ids.push(await queue.enqueue(topic, { key: 'trim:a', n: 1 }));
    await h.raw.xreadgroup('GROUP', 'write-behind', 'other', 'COUNT', 150, 'STREAMS', stream, '>');
    await h.raw.xack(stream, 'write-behind', ...ids.slice(0, 150).filter((_, i) => i !== 120)); // #120 stays pending elsewhere

    const consumer = h.consumer(topic, new CounterFlusher(h.schema), { claimIdleMs: 60_000, claimIntervalMs: 50 });
    await consumer.start();
    await h.waitForTotal('trim:', 150);
    await waitUntil(async () => (await h.raw.xlen(stream)) < 300, { timeoutMs: 5_000, what: 'the stream to be trimmed' });
    await sleep(200); // a few more maintenance rounds
    assert.equal((await h.raw.xrange(stream, ids[120], ids[120])).length, 1, 'the pending entry is still there to be redelivered');
    assert.ok((await h.raw.xlen(stream)) >= 180, 'nothing at or after the pending entry was trimmed');
  });
});
