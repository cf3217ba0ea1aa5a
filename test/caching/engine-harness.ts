import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { CacheEngine, CacheMetrics, type CachingModuleOptions, createRedisClient, type RedisClient } from '@app/caching';
import { createTestRedis, type TestRedis, testRedisConnection } from '../support/test-redis.js';

/** A test's own engine on the shared Redis, under a key prefix nobody else uses. */
export interface EngineHarness {
  engine: CacheEngine;
  metrics: CacheMetrics;
  redis: RedisClient;
  /** A plain client for assertions (reads raw keys, counts): a `Cluster` in the cluster pass. */
  raw: TestRedis;
  options: CachingModuleOptions;
  close(): Promise<void>;
}

/** The shared single node's URL, for specs that need one node (most use `testRedisConnection()`, node or cluster). */
export function redisUrl(): string {
  return process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
}

/** `t1234ab:` from the test runner plus a random service name, so files running in parallel never meet. */
export function uniqueNamespace(): { keyPrefix: string; service: string } {
  return { keyPrefix: process.env.CACHE_PREFIX ?? 'ttest:', service: `s${randomBytes(4).toString('hex')}` };
}

export async function createEngineHarness(overrides: Partial<CachingModuleOptions> = {}): Promise<EngineHarness> {
  // A private server (overrides.redisUrl) replaces the run's Redis, single node or cluster.
  const options: CachingModuleOptions = {
    ...(overrides.redisUrl ? {} : testRedisConnection()),
    commandTimeoutMs: 500,
    ...uniqueNamespace(),
    ...overrides,
  };
  const redis = createRedisClient(options);
  const raw = overrides.redisUrl ? new Redis(overrides.redisUrl) : createTestRedis();
  await Promise.all([waitReady(redis), waitReady(raw)]);
  const metrics = new CacheMetrics();
  const engine = new CacheEngine(redis, options, metrics);
  return {
    engine,
    metrics,
    redis,
    raw,
    options,
    async close() {
      await engine.beforeApplicationShutdown();
      redis.disconnect();
      raw.disconnect();
    },
  };
}

export async function waitReady(client: RedisClient): Promise<void> {
  if (client.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis not ready: ${client.status}`)), 5_000);
    client.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Reads a counter from a prom-client metric, summed over the labels given. */
export async function counterValue(metrics: CacheMetrics, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = await metrics.registry.getSingleMetric(name)?.get();
  return (metric?.values ?? [])
    .filter((v) => Object.entries(labels).every(([k, val]) => (v.labels as Record<string, unknown>)[k] === val))
    .reduce((sum, v) => sum + v.value, 0);
}

/** A promise and the function that settles it: a barrier for forcing interleavings. */
export function gate<T = void>(): { promise: Promise<T>; open: (value: T) => void } {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => (open = resolve));
  return { promise, open };
}
