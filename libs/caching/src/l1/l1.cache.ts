import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { CachingModuleOptions } from '../caching.options.js';
import { freshnessOf } from '../engine/freshness.js';
import { namespaceOf } from '../engine/namespace-of.js';
import type { CacheMetrics } from '../metrics/cache.metrics.js';
import type { RedisClient } from '../redis/redis.client-factory.js';
import type { CacheEntry } from '../serialization/cache-entry.codec.js';
import { LruTtlMap } from './lru-ttl.map.js';
import { L1_DEFAULTS, type L1Options } from './l1.options.js';

type Storable = Exclude<CacheEntry, { kind: 'tombstone' }>;

interface InvalidationMessage {
  /** The instance that invalidated (it already dropped its own copies). */
  from: string;
  keys: string[];
}

const MAX_RECONNECT_DELAY_MS = 1_000;

/**
 * The optional in-process tier: a bounded LRU with a short TTL in front of Redis, for the
 * entities chosen in {@link L1Options}. Kept coherent across instances by Redis pub/sub:
 * every invalidation (`CacheEngine.delete`, `set`, `invalidateTags`) publishes the keys on
 * `<prefix><service>:l1`, and every instance drops them.
 *
 * Pub/sub is fire-and-forget: a subscriber that is disconnected misses messages. So L1 is
 * served only while the subscription is live, and the whole L1 is dropped when the
 * connection is lost and again when it is back (the catch-up: nothing cached before the gap
 * survives it). A PING heartbeat notices a silent connection; until it does, `ttlMs` bounds
 * the staleness. A fill whose Redis read raced an invalidation is not stored (epoch check).
 *
 * The subscriber is a plain connection to one node: on a Redis Cluster a `PUBLISH` reaches
 * every node, so any node will do, and the next one is tried when it goes away.
 */
export class L1Cache {
  private readonly logger = new Logger('L1Cache');
  private readonly map: LruTtlMap<Storable>;
  private readonly namespaces: Set<string>;
  private readonly channel: string;
  private readonly instanceId = randomBytes(8).toString('hex');
  private readonly ttlMs: number;
  private readonly heartbeatMs: number;
  private subscriber: Redis | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private attempt = 0;
  private live = false;
  private stopped = false;
  /** Bumped by every invalidation and reset: a fill read before the bump is not stored. */
  private epoch = 0;

  constructor(
    private readonly redis: RedisClient,
    private readonly caching: CachingModuleOptions,
    private readonly metrics: CacheMetrics,
    options: L1Options,
  ) {
    this.map = new LruTtlMap(options.maxEntries ?? L1_DEFAULTS.maxEntries);
    this.ttlMs = options.ttlMs ?? L1_DEFAULTS.ttlMs;
    this.heartbeatMs = options.heartbeatMs ?? L1_DEFAULTS.heartbeatMs;
    const namespace = `${caching.keyPrefix}${caching.service}:`;
    this.namespaces = new Set(options.entities.map((entity) => `${namespace}${entity}`));
    this.channel = `${namespace}l1`;
    this.connect();
  }

  /** Whether the subscription is up (L1 serves and fills only then). */
  get isLive(): boolean {
    return this.live;
  }

  handles(key: string): boolean {
    return this.namespaces.has(namespaceOf(key));
  }

  /** A fresh entry from process memory, or undefined. */
  get(key: string): Storable | undefined {
    if (!this.live || !this.handles(key)) return undefined;
    const entry = this.map.get(key);
    if (!entry) return undefined;
    if (freshnessOf(entry, Date.now(), 0) !== 'fresh') {
      this.map.delete(key);
      return undefined;
    }
    this.metrics.l1.inc({ event: 'hit' });
    return entry;
  }

  /** Take before reading Redis; hand to {@link fill}. */
  ticket(): number {
    return this.epoch;
  }

  /** Keeps an entry just read from Redis, unless an invalidation or a reset happened since `ticket`. */
  fill(key: string, entry: CacheEntry | undefined, ticket: number): void {
    if (!this.live || ticket !== this.epoch || !entry || entry.kind === 'tombstone' || !this.handles(key)) return;
    const now = Date.now();
    const ttlMs = Math.min(this.ttlMs, entry.freshUntilMs - now);
    if (ttlMs <= 0) return;
    this.map.set(key, entry, ttlMs, now);
    this.metrics.l1.inc({ event: 'fill' });
  }

  /** Drops `keys` here and, through pub/sub, in every other instance. Call after the Redis write. */
  async invalidate(keys: string[]): Promise<void> {
    const mine = keys.filter((key) => this.handles(key));
    if (mine.length === 0) return;
    this.dropLocally(mine);
    const message: InvalidationMessage = { from: this.instanceId, keys: mine };
    try {
      await this.redis.publish(this.channel, JSON.stringify(message));
    } catch (error) {
      // Other instances keep their copies for at most ttlMs.
      this.logger.warn(`L1 invalidation of ${mine.length} key(s) not published: ${(error as Error).message}`);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.setLive(false);
    clearInterval(this.heartbeat);
    clearTimeout(this.reconnectTimer);
    this.subscriber?.disconnect();
  }

  private dropLocally(keys: string[]): void {
    this.epoch++;
    for (const key of keys) this.map.delete(key);
  }

  private setLive(live: boolean): void {
    // Losing or regaining the subscription: anything cached may have missed an invalidation.
    this.epoch++;
    if (this.map.size) this.metrics.l1.inc({ event: 'reset' });
    this.map.clear();
    this.live = live;
  }

  /** A plain connection to the next node to try: the URL's node, or the cluster's nodes in turn. */
  private nextTarget(): Redis {
    // Named, so an operator (or a test) can find it in CLIENT LIST: `l1:<service>:<pid>`.
    const connectionName = `l1:${this.caching.service}:${process.pid}`;
    const options: RedisOptions = { lazyConnect: true, retryStrategy: () => null, connectTimeout: 2_000, maxRetriesPerRequest: 0, connectionName };
    if (!(this.redis instanceof Cluster)) return new Redis(this.caching.redisUrl ?? 'redis://127.0.0.1:6379', options);
    const known = this.redis.nodes('all').map((node) => ({ host: node.options.host, port: node.options.port }));
    const candidates = known.length ? known : (this.caching.redisClusterNodes ?? []);
    const target = candidates[this.attempt % candidates.length];
    return new Redis({ ...options, host: target.host, port: target.port });
  }

  private connect(): void {
    if (this.stopped) return;
    const subscriber = this.nextTarget();
    this.subscriber = subscriber;
    subscriber.on('error', () => undefined);
    subscriber.on('message', (_channel: string, text: string) => this.onMessage(text));
    subscriber.once('close', () => {
      if (this.subscriber !== subscriber) return;
      clearInterval(this.heartbeat);
      if (this.live) this.setLive(false);
      if (this.stopped) return;
      this.attempt++;
      const delayMs = Math.min(50 * this.attempt, MAX_RECONNECT_DELAY_MS);
      this.reconnectTimer = setTimeout(() => this.connect(), delayMs);
      this.reconnectTimer.unref();
    });
    subscriber
      .connect()
      .then(() => subscriber.subscribe(this.channel))
      .then(() => {
        if (this.stopped || this.subscriber !== subscriber) return;
        this.attempt = 0;
        this.setLive(true);
        this.startHeartbeat(subscriber);
      })
      .catch(() => subscriber.disconnect());
  }

  private startHeartbeat(subscriber: Redis): void {
    clearInterval(this.heartbeat);
    this.heartbeat = setInterval(() => {
      const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no PONG')), this.heartbeatMs).unref());
      Promise.race([subscriber.ping(), timeout]).catch(() => subscriber.disconnect());
    }, this.heartbeatMs);
    this.heartbeat.unref();
  }

  private onMessage(text: string): void {
    let message: InvalidationMessage;
    try {
      message = JSON.parse(text) as InvalidationMessage;
    } catch {
      return;
    }
    if (!Array.isArray(message.keys)) return;
    if (message.from !== this.instanceId) this.metrics.l1.inc({ event: 'invalidation' });
    this.dropLocally(message.keys.map(String));
  }
}
