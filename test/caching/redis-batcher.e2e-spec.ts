import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RedisBatcher } from '@app/caching';
import { fileKeyPrefix } from '../support/key-prefix.js';
import { createTestRedis, type TestRedis, testRedisReady } from '../support/test-redis.js';

describe('RedisBatcher on a real Redis', () => {
  const prefix = fileKeyPrefix();
  const key = (name: string) => `${prefix}batcher:{b}:${name}`; // one hash tag: one slot on a cluster
  let redis: TestRedis;

  before(async () => {
    redis = createTestRedis();
    await testRedisReady(redis);
  });
  after(async () => {
    const keys = await Promise.all(['counter', 'text'].map(key));
    await redis.del(...keys);
    redis.disconnect();
  });

  it('sends the commands of concurrent callers as one pipeline, and answers each with its own reply', async () => {
    const pipelines: number[] = [];
    const real = redis.pipeline.bind(redis);
    const batcher = new RedisBatcher(
      Object.assign(Object.create(redis) as TestRedis, {
        pipeline: () => {
          pipelines.push(0);
          return real();
        },
      }),
    );
    const replies = await Promise.all(Array.from({ length: 200 }, () => batcher.run<number>((pipeline) => pipeline.incr(key('counter')))));
    assert.deepEqual([...replies].sort((a, b) => a - b), Array.from({ length: 200 }, (_, i) => i + 1), 'every caller got its own INCR reply');
    assert.equal(pipelines.length, 1, 'one pipeline, one write');
    assert.equal(Number(await redis.get(key('counter'))), 200);
  });

  it('rejects only the caller whose command failed', async () => {
    await redis.set(key('text'), 'not a number');
    const batcher = new RedisBatcher(redis);
    const [good, bad] = await Promise.allSettled([
      batcher.run<number>((pipeline) => pipeline.incr(key('counter'))),
      batcher.run<number>((pipeline) => pipeline.incr(key('text'))),
    ]);
    assert.equal(good.status, 'fulfilled');
    assert.equal(bad.status, 'rejected');
    assert.match(String((bad as PromiseRejectedResult).reason), /not an integer/);
  });

  it('rejects every caller of a batch when the connection is down', async () => {
    const down = createTestRedis();
    await testRedisReady(down);
    down.disconnect();
    const batcher = new RedisBatcher(down);
    const settled = await Promise.allSettled(Array.from({ length: 5 }, () => batcher.run((pipeline) => pipeline.incr(key('counter')))));
    assert.ok(settled.every((result) => result.status === 'rejected'));
  });
});
