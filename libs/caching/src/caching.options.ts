import type { CacheEngineSettings } from './engine/get-or-set.options.js';

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
}
