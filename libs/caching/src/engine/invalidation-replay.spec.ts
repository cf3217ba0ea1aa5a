import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { CacheMetrics } from '../metrics/cache.metrics.js';
import { waitUntil } from '../../../../test/support/wait.js';
import { InvalidationReplay } from './invalidation-replay.js';
import type { MissedInvalidation } from './missed-invalidations.js';

async function counts(metrics: CacheMetrics): Promise<Record<string, number>> {
  const values = (await metrics.missedInvalidations.get()).values;
  const byOutcome: Record<string, number> = {};
  for (const { labels, value } of values) byOutcome[String(labels.outcome)] = (byOutcome[String(labels.outcome)] ?? 0) + value;
  byOutcome.pending = (await metrics.pendingInvalidations.get()).values[0]?.value ?? 0;
  return byOutcome;
}

/** A stand-in for Redis: answers (or not) as the test says, and records what it was sent. */
function fakeRedis() {
  const state = { up: false, sent: [] as string[], hold: undefined as Promise<void> | undefined };
  const send = async ({ kind, name }: MissedInvalidation) => {
    await state.hold;
    state.sent.push(`${kind} ${name}`);
    return state.up;
  };
  return { state, send };
}

describe('InvalidationReplay', () => {
  it('replays every interval while Redis stays away, in order, and stops once all landed', async () => {
    const metrics = new CacheMetrics();
    const redis = fakeRedis();
    const replay = new InvalidationReplay(redis.send, metrics, { intervalMs: 10, capacity: 100 });
    replay.remember('key', 'a');
    replay.remember('tag', 't');
    replay.remember('key', 'a');
    assert.deepEqual(await counts(metrics), { missed: 2, pending: 2 });
    assert.equal(replay.coversKey('unrelated'), true);
    await waitUntil(() => redis.state.sent.length >= 2, { timeoutMs: 1_000, intervalMs: 5, what: 'two passes' });
    assert.deepEqual(redis.state.sent.slice(0, 2), ['key a', 'key a'], 'a pass ends at the first that misses again');
    redis.state.up = true;
    await waitUntil(async () => (await counts(metrics)).pending === 0, { timeoutMs: 1_000, intervalMs: 5, what: 'everything replayed' });
    assert.deepEqual(redis.state.sent.slice(-2), ['key a', 'tag t']);
    assert.deepEqual(await counts(metrics), { missed: 2, replayed: 2, pending: 0 });
    assert.equal(replay.coversKey('a'), false);
    const sent = redis.state.sent.length;
    await sleep(50);
    assert.equal(redis.state.sent.length, sent, 'nothing pending, nothing sent');
    await replay.stop();
  });

  it('keeps an invalidation missed again while its replay was on the wire', async () => {
    const metrics = new CacheMetrics();
    const redis = fakeRedis();
    redis.state.up = true;
    let release!: () => void;
    redis.state.hold = new Promise((resolve) => (release = resolve));
    const replay = new InvalidationReplay(redis.send, metrics, { intervalMs: 10, capacity: 100 });
    replay.remember('key', 'a');
    await sleep(30); // the replay of a is waiting for its answer
    replay.remember('key', 'a'); // a newer write of a failed meanwhile
    release();
    redis.state.hold = undefined;
    await waitUntil(() => redis.state.sent.length >= 2, { timeoutMs: 1_000, intervalMs: 5, what: 'a second replay of a' });
    await waitUntil(async () => (await counts(metrics)).pending === 0, { timeoutMs: 1_000, intervalMs: 5, what: 'a settled' });
    assert.deepEqual(redis.state.sent, ['key a', 'key a']);
    await replay.stop();
  });

  it('on stop tries once more and counts what is left as abandoned; past its capacity drops the oldest', async () => {
    const metrics = new CacheMetrics();
    const redis = fakeRedis();
    const replay = new InvalidationReplay(redis.send, metrics, { intervalMs: 60_000, capacity: 2 });
    replay.remember('key', 'a');
    replay.remember('key', 'b');
    replay.remember('generation', 'list');
    assert.equal(replay.coversKey('a'), false, 'a was dropped for room');
    assert.equal(replay.coversGeneration('list'), true);
    await replay.stop();
    assert.deepEqual(redis.state.sent, ['key b']);
    assert.deepEqual(await counts(metrics), { missed: 3, dropped: 1, abandoned: 2, pending: 0 });
  });
});
