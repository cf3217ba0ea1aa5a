import { randomBytes } from 'node:crypto';
import {
  type CacheEvent,
  CacheEventConsumer,
  type CacheEventConsumerOptions,
  CacheEventPublisher,
  createRedisClient,
  type RedisClient,
} from '@app/caching';
import { waitReady } from '../caching/engine-harness.js';
import { createTestRedis, testRedisConnection } from '../support/test-redis.js';

export const keyPrefix = process.env.CACHE_PREFIX ?? 'ttest:';

/** A stream name nobody else uses. */
export function uniqueStream(): string {
  return `s${randomBytes(4).toString('hex')}`;
}

/** A client with the library's settings (fail-fast, command timeout), on `url` (default: the run's Redis, node or cluster). */
export async function connectedClient(url?: string): Promise<RedisClient> {
  const connection = url ? { redisUrl: url } : testRedisConnection();
  const client = createRedisClient({ ...connection, keyPrefix, service: 'test', commandTimeoutMs: 1_000 });
  await waitReady(client);
  return client;
}

/** A publisher, a raw client for assertions, and consumers that are all stopped by `close()`. */
export async function createBusHarness() {
  const redis = await connectedClient();
  const raw = createTestRedis();
  const publisher = new CacheEventPublisher(redis, { keyPrefix, streamMaxLength: 10_000 });
  const consumers: CacheEventConsumer[] = [];
  const clients: RedisClient[] = [redis];
  return {
    redis,
    raw,
    publisher,
    /** A started consumer; `client` defaults to the harness's own (direct) connection. */
    async consumer(options: CacheEventConsumerOptions, client: RedisClient = redis): Promise<CacheEventConsumer> {
      const consumer = new CacheEventConsumer(client, keyPrefix, { blockMs: 200, retryDelayMs: 10, ...options });
      consumers.push(consumer);
      await consumer.start();
      return consumer;
    },
    track(client: RedisClient) {
      clients.push(client);
    },
    async close() {
      await Promise.all(consumers.map((c) => c.stop()));
      for (const client of clients) client.disconnect();
      raw.disconnect();
    },
  };
}

/** Collects the events a handler saw, by event id. */
export function recorder() {
  const seen: CacheEvent[] = [];
  return {
    seen,
    ids: () => new Set(seen.map((e) => e.id)),
    handler: (event: CacheEvent) => void seen.push(event),
  };
}
