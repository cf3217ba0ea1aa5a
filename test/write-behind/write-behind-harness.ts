import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import {
  CacheMetrics,
  type CachingModuleOptions,
  createRedisClient,
  type RedisClient,
  WriteBehindConsumer,
  type WriteBehindConsumerOptions,
  type WriteBehindEntry,
  type WriteBehindFlusher,
  WriteBehindQueue,
  coalesce,
} from '@app/caching';
import { gate, uniqueNamespace, waitReady } from '../caching/engine-harness.js';
import { createTestRedis, type TestRedis, testRedisConnection } from '../support/test-redis.js';
import { waitUntil } from '../support/wait.js';

/** What the tests enqueue: add `n` to counter `key`. */
export interface CounterDelta {
  key: string;
  n: number;
}

export const APPLIED_TABLE = 'catalog.applied_stream_batches';

/** Adds deltas to `<schema>.counters`, one UPSERT per key; `onFlush` runs inside the transaction after the writes. */
export class CounterFlusher implements WriteBehindFlusher<CounterDelta> {
  readonly batches: string[][] = [];

  constructor(
    private readonly schema: string,
    private readonly onFlush?: (entries: readonly WriteBehindEntry<CounterDelta>[]) => Promise<void> | void,
  ) {}

  parse(payload: unknown): CounterDelta {
    const { key, n } = (payload ?? {}) as Partial<CounterDelta>;
    if (typeof key !== 'string' || !Number.isSafeInteger(n)) throw new TypeError('expected { key: string, n: integer }');
    return { key, n: n! };
  }

  async flush(entries: readonly WriteBehindEntry<CounterDelta>[], tx: import('typeorm').EntityManager): Promise<void> {
    this.batches.push(entries.map((e) => e.id));
    const sums = coalesce(entries, (p) => p.key, (sum, p) => sum + p.n, 0);
    await tx.query(
      `INSERT INTO ${this.schema}.counters (key, total) SELECT * FROM unnest($1::text[], $2::bigint[])
       ON CONFLICT (key) DO UPDATE SET total = counters.total + excluded.total`,
      [[...sums.keys()], [...sums.values()]],
    );
    await this.onFlush?.(entries);
  }
}

/**
 * A {@link CounterFlusher} that holds every flush inside its transaction (after its writes,
 * before COMMIT) until `release()`; `flushing` settles once the first flush got there.
 */
export function heldFlusher(schema: string): { flusher: CounterFlusher; flushing: Promise<void>; release: () => void } {
  const flushing = gate();
  const released = gate();
  const flusher = new CounterFlusher(schema, async () => {
    flushing.open();
    await released.promise;
  });
  return { flusher, flushing: flushing.promise, release: () => released.open() };
}

/** One test file's own namespace, Postgres schema and clients; `close` undoes all of it. */
export class WriteBehindHarness {
  readonly schema = `wb_${randomBytes(4).toString('hex')}`;
  readonly metrics = new CacheMetrics();
  private readonly consumers: WriteBehindConsumer<CounterDelta>[] = [];
  private readonly clients: RedisClient[] = [];

  private constructor(
    readonly dataSource: DataSource,
    readonly redis: RedisClient,
    readonly raw: TestRedis,
    /** A private server's URL, or undefined on the run's Redis (single node or cluster). */
    readonly url: string | undefined,
    readonly namespace: { keyPrefix: string; service: string },
  ) {}

  static async create(url?: string): Promise<WriteBehindHarness> {
    const dataSource = await new DataSource({ type: 'postgres', url: process.env.DATABASE_URL }).initialize();
    const namespace = uniqueNamespace();
    const redis = createRedisClient({ ...(url ? { redisUrl: url } : testRedisConnection()), commandTimeoutMs: 1_000, ...namespace });
    const raw = url ? new Redis(url) : createTestRedis();
    raw.on('error', () => undefined); // a test may crash its private server
    await Promise.all([waitReady(redis), waitReady(raw)]);
    const h = new WriteBehindHarness(dataSource, redis, raw, url, namespace);
    await dataSource.query(`CREATE SCHEMA ${h.schema}; CREATE TABLE ${h.schema}.counters (key text PRIMARY KEY, total bigint NOT NULL)`);
    return h;
  }

  get cachingOptions(): CachingModuleOptions {
    return { ...(this.url ? { redisUrl: this.url } : testRedisConnection()), commandTimeoutMs: 1_000, ...this.namespace };
  }

  queue(redis: RedisClient = this.redis): WriteBehindQueue {
    return new WriteBehindQueue(redis, this.namespace);
  }

  /** A second shared-style client, for a consumer whose connection the test tampers with. */
  async client(): Promise<RedisClient> {
    const client = createRedisClient(this.cachingOptions);
    this.clients.push(client);
    await waitReady(client);
    return client;
  }

  consumer(
    topic: string,
    flusher: WriteBehindFlusher<CounterDelta>,
    options: Partial<WriteBehindConsumerOptions> = {},
    redis: RedisClient = this.redis,
    metrics: CacheMetrics = this.metrics,
  ): WriteBehindConsumer<CounterDelta> {
    const consumer = new WriteBehindConsumer<CounterDelta>({
      topic,
      redis,
      namespace: this.namespace,
      dataSource: this.dataSource,
      flusher,
      metrics,
      options: { appliedEntriesTable: APPLIED_TABLE, consumerName: `c-${randomBytes(3).toString('hex')}`, blockMs: 200, ...options },
    });
    this.consumers.push(consumer);
    return consumer;
  }

  /** Sum of every counter whose key starts with `keyPrefix`. */
  async total(keyPrefix: string): Promise<number> {
    const [row] = await this.dataSource.query(`SELECT coalesce(sum(total), 0)::int AS total FROM ${this.schema}.counters WHERE key LIKE $1 || '%'`, [keyPrefix]);
    return row.total;
  }

  async pending(stream: string, group = 'write-behind'): Promise<number> {
    const [count] = (await this.raw.xpending(stream, group)) as [number];
    return count;
  }

  /** Entries pending for one consumer of the group (XPENDING's summary). */
  async pendingOf(stream: string, consumerName: string, group = 'write-behind'): Promise<number> {
    const [, , , consumers] = (await this.raw.xpending(stream, group)) as [number, string, string, [string, string][] | null];
    return Number(consumers?.find(([name]) => name === consumerName)?.[1] ?? 0);
  }

  async waitForTotal(keyPrefix: string, expected: number, timeoutMs = 10_000): Promise<void> {
    await waitUntil(async () => (await this.total(keyPrefix)) === expected, { timeoutMs, what: `total of ${keyPrefix}* to reach ${expected}` });
  }

  async close(): Promise<void> {
    await Promise.all(this.consumers.map((c) => c.stop()));
    await this.dataSource.query(`DROP SCHEMA ${this.schema} CASCADE`);
    await this.dataSource.destroy();
    for (const client of [this.redis, this.raw, ...this.clients]) client.disconnect();
  }
}

/** Reads a prom-client metric, summed over the labels given. */
export async function metricValue(metrics: CacheMetrics, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = await metrics.registry.getSingleMetric(name)?.get();
  return (metric?.values ?? [])
    .filter((v) => Object.entries(labels).every(([k, val]) => (v.labels as Record<string, unknown>)[k] === val))
    .reduce((sum, v) => sum + v.value, 0);
}
