import type { CacheEngineSettings } from './engine/get-or-set.options.js';
import type { L1Options } from './l1/l1.options.js';
import type { WriteBehindDurability } from './write-behind/write-behind.queue.js';

export interface RedisNodeAddress {
  host: string;
  port: number;
}

/** Options of {@link CachingModule}. Times are milliseconds, as the names say. */
export interface CachingModuleOptions {
  /** One Redis node (`redis://host:port/db`) ... */
  redisUrl?: string;
  /** ... or the seed nodes of a Redis Cluster. */
  redisClusterNodes?: RedisNodeAddress[];
  /** Every key the project writes starts with this (for example `cref:`). */
  keyPrefix: string;
  /** Second key segment: the service that owns the keys (`users`, `catalog`, ...). */
  service: string;
  /** A cache command that takes longer fails, and the caller treats it as a miss. */
  commandTimeoutMs: number;
  connectTimeoutMs?: number;
  /** Default TTL of `@nestjs/cache-manager` entries. */
  defaultTtlMs?: number;
  /** Engine-wide limits (value size, tombstone, lock and factory timeouts). */
  engine?: Partial<CacheEngineSettings>;
  /**
   * An in-process L1 tier in front of Redis for the entities listed, kept coherent across
   * instances by pub/sub. Off when absent or when `entities` is empty.
   *
   * @example l1: { entities: ['user'], ttlMs: 2_000, maxEntries: 10_000 }
   */
  l1?: L1Options;
  /** Replicas that must have a write-behind entry before `enqueue` accepts it (default none: see {@link WriteBehindDurability}). */
  writeBehindDurability?: WriteBehindDurability;
}
