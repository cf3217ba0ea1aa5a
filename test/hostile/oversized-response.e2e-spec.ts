import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Controller, Get, type INestApplication, Module, UseInterceptors } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { Redis } from 'ioredis';
import { CacheMetrics, CachingModule, HttpCache, HttpCacheInterceptor } from '@app/caching';
import { percentile } from '../faults/fault-load.js';
import { scanKeys, sharedRedis } from './hostile-support.js';

/**
 * Oversized responses. No route of the three services can produce 5 MB: listings are capped
 * by validation (`limit` ≤ 100, names ≤ 200 characters: about 40 KB at most). So this runs the
 * library's HTTP interceptor and engine, exactly as the services use them, in a small Nest app
 * with one route that answers 5 MB and one that answers a few bytes.
 */
const report = (line: string) => console.log(`[reliability] ${line}`);
const FIVE_MB = 5 * 1024 * 1024;
let bigCalls = 0;

@Controller()
@UseInterceptors(HttpCacheInterceptor)
class SizesController {
  private readonly big = { items: Array.from({ length: Math.ceil(FIVE_MB / 1_000) }, (_, i) => ({ i, text: 'x'.repeat(1_000) })) };

  @Get('big')
  @HttpCache({ ttlMs: 60_000 })
  bigOne() {
    bigCalls += 1;
    return this.big;
  }

  /** The same 5 MB without the cache: the control for what serving 5 MB costs anyway. */
  @Get('big-uncached')
  bigUncached() {
    return this.big;
  }

  @Get('small')
  @HttpCache({ ttlMs: 60_000 })
  small() {
    return { ok: true };
  }
}

describe('oversized responses through the HTTP cache (a bench-free Nest app on the real Redis)', () => {
  const namespace = { keyPrefix: process.env.CACHE_PREFIX ?? 'ttest:', service: `big${randomBytes(3).toString('hex')}` };
  let app: INestApplication;
  let url: string;
  let redis: Redis;

  before(async () => {
    @Module({
      imports: [CachingModule.forRoot({ redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', commandTimeoutMs: 250, isGlobal: true, ...namespace })],
      controllers: [SizesController],
    })
    class SizesModule {}
    app = await NestFactory.create(SizesModule, new FastifyAdapter(), { logger: false });
    await app.listen(0, '127.0.0.1');
    url = (await app.getUrl()).replace('[::1]', '127.0.0.1').replace('localhost', '127.0.0.1');
    redis = sharedRedis();
    for (let i = 0; i < 50 && (await fetch(`${url}/small`)).headers.get('x-cache') === 'BYPASS'; i++) await new Promise((r) => setTimeout(r, 20));
  });
  after(async () => {
    redis?.disconnect();
    await app?.close();
  });

  const smallLatencies = async (count: number) => {
    const times: number[] = [];
    for (let i = 0; i < count; i++) {
      const startedAt = performance.now();
      const response = await fetch(`${url}/small`);
      await response.text();
      times.push(performance.now() - startedAt);
      assert.equal(response.headers.get('x-cache'), 'HIT');
    }
    return times;
  };

  it('serves a 5 MB response in full without storing it, and counts it as oversized', async () => {
    const first = await fetch(`${url}/big`);
    const body = await first.text();
    assert.equal(first.status, 200);
    assert.ok(body.length > FIVE_MB, `${body.length} bytes`);
    assert.equal(first.headers.get('x-cache'), 'BYPASS');
    const second = await fetch(`${url}/big`);
    assert.equal((await second.text()).length, body.length);
    assert.equal(second.headers.get('x-cache'), 'BYPASS');
    assert.equal(bigCalls, 2, 'the handler ran for each request: nothing was cached');
    const keys = await scanKeys(redis, `${namespace.keyPrefix}${namespace.service}:`);
    const sizes = await Promise.all(keys.filter((key) => !key.includes('#')).map(async (key) => Number(await redis.strlen(key))));
    assert.ok(sizes.every((size) => size < 1_024 * 1_024), `a value of ${Math.max(...sizes)} bytes is stored`);
    const metrics = await app.get(CacheMetrics).registry.getSingleMetric('cache_oversized_values_total')!.get();
    assert.ok(metrics.values.reduce((sum, v) => sum + v.value, 0) >= 2);
  });

  /** Small-route latencies while two clients keep fetching `bigPath`. */
  const smallDuringFlood = async (bigPath: string) => {
    let stop = false;
    let served = 0;
    const flood = Promise.all(
      Array.from({ length: 2 }, async () => {
        while (!stop) {
          await (await fetch(`${url}${bigPath}`)).arrayBuffer();
          served += 1;
        }
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    const times = await smallLatencies(200);
    stop = true;
    await flood;
    return { times, served };
  };

  it("adds nothing to other routes' latency beyond what sending 5 MB costs without any cache", async () => {
    const alone = await smallLatencies(200);
    const control = await smallDuringFlood('/big-uncached');
    const cached = await smallDuringFlood('/big');
    const line = (times: number[]) => `${percentile(times, 50).toFixed(1)}/${percentile(times, 99).toFixed(1)} ms`;
    report(
      `oversized: small route p50/p99 ${line(alone)} alone; ${line(control.times)} while ${control.served} 5 MB responses were sent without the cache; ` +
        `${line(cached.times)} while ${cached.served} 5 MB responses went through the cache (none stored)`,
    );
    assert.ok(control.served >= 2 && cached.served >= 2, 'the 5 MB routes were not exercised');
    // One Node process builds and sends every body on one event loop, so 5 MB responses slow
    // everything a little; the cache must not add to that (no second copy, no 5 MB Redis write).
    const allowedMs = percentile(control.times, 99) * 1.5 + 10;
    assert.ok(percentile(cached.times, 99) <= allowedMs, `small route p99 ${percentile(cached.times, 99).toFixed(1)} ms > ${allowedMs.toFixed(1)} ms`);
    assert.ok(percentile(cached.times, 50) <= percentile(control.times, 50) * 1.5 + 5, 'the cache slowed the median');
  });
});
