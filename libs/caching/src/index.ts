// The only door into the library: apps import `@app/caching`, never a deep path.

// Module and the shared Redis connection
export { REDIS_CLIENT } from './caching.constants.js';
export { CachingModule } from './caching.module.js';
export { CACHING_OPTIONS } from './caching.module-definition.js';
export type { CachingModuleOptions, RedisNodeAddress } from './caching.options.js';
export { closeRedisClient, createRedisClient, duplicateForBlocking, type RedisClient } from './redis/redis.client-factory.js';
export { type BatchOutcome, TickBatcher } from './redis/tick.batcher.js';

// The engine: getOrSet, read-through, errors
export { CacheEngine, type SetOptions } from './engine/cache-engine.service.js';
export { CacheFactoryTimeoutError } from './engine/cache.errors.js';
export type {
  CacheEngineSettings,
  CacheFactory,
  CacheRead,
  FactoryContext,
  GetOrSetOptions,
  ReadOutcome,
} from './engine/get-or-set.options.js';
export { ReadThroughCache, type ReadThroughDefinition } from './engine/read-through.js';

// Keys
export { CacheKeyBuilder } from './keys/cache-key.builder.js';
export { encodeKeyPart, type KeyPart } from './keys/key-part.encoder.js';
export { deadLetterStreamKey, eventStreamKey } from './keys/event-stream.key.js';
export { dailyVisitorsKey, mergedVisitorsKey, utcDay, utcDaysEndingOn, VISITORS_HASH_TAG } from './keys/visitors.key.js';

// Decorators for services
export { CacheEvict, CachePut, Cacheable } from './decorators/cache-method.decorators.js';
export type { CacheableOptions, CacheCallContext, CacheEvictOptions, CachePutOptions } from './decorators/cache-method.options.js';

// HTTP
export { HttpCache } from './http/http-cache.decorator.js';
export { HttpCacheInterceptor } from './http/http-cache.interceptor.js';
export type { CacheableRequest, HttpCacheOptions } from './http/http-cache.options.js';
export { NotModifiedException } from './http/not-modified.exception.js';
export { CacheReadInterceptor, type ServeCacheReadOptions } from './http/cache-read.interceptor.js';
export { ServeCacheRead } from './http/serve-cache-read.decorator.js';

// In-process L1 tier
export { L1Cache } from './l1/l1.cache.js';
export { L1_DEFAULTS, type L1Options } from './l1/l1.options.js';

// Invalidation: event bus on Redis Streams, CDC from Postgres
export type { CacheEvent, CacheEventInput } from './invalidation/cache-event.envelope.js';
export { CacheEventPublisher, type CacheEventPublisherSettings } from './invalidation/cache-event.publisher.js';
export { CacheEventConsumer } from './invalidation/cache-event.consumer.js';
export type {
  CacheEventConsumerOptions,
  CacheEventConsumerStats,
  CacheEventContext,
  CacheEventHandler,
} from './invalidation/cache-event-consumer.options.js';
export { CacheEventConsumers } from './invalidation/cache-event-consumers.service.js';
export { PgChangeListener } from './invalidation/pg-change.listener.js';
export type { PgChangeListenerOptions, TableChange, TableChangeHandler } from './invalidation/pg-change.listener.options.js';
export { PgChangeListeners } from './invalidation/pg-change-listeners.service.js';
export { cdcChangelogSql, cdcTriggerSql, type CdcTriggerDefinition, type MigrationSql } from './invalidation/cdc.migration-sql.js';
export { InvalidationMetrics, type InvalidationOutcome } from './invalidation/invalidation.metrics.js';
export { InvalidationModule } from './invalidation/invalidation.module.js';
export type { InvalidationModuleOptions } from './invalidation/invalidation.options.js';

// Write-behind
export { coalesce } from './write-behind/write-behind.coalesce.js';
export { InjectWriteBehindConsumer, writeBehindConsumerToken } from './write-behind/write-behind.constants.js';
export { WriteBehindConsumer, type WriteBehindConsumerConfig } from './write-behind/write-behind.consumer.js';
export { WriteBehindUnavailableError } from './write-behind/write-behind.errors.js';
export { WriteBehindHealthIndicator } from './write-behind/write-behind.health.js';
export type { WriteBehindEntry, WriteBehindFlusher, WriteBehindStats } from './write-behind/write-behind.interfaces.js';
export { writeBehindKeys, type WriteBehindKeys } from './write-behind/write-behind.keys.js';
export { WriteBehindCoreModule, WriteBehindModule, type WriteBehindRegistration } from './write-behind/write-behind.module.js';
export { WriteBehindMonitor } from './write-behind/write-behind.monitor.js';
export { WRITE_BEHIND_DEFAULTS, type WriteBehindConsumerOptions } from './write-behind/write-behind.options.js';
export { NO_REPLICA_WAIT, type WriteBehindDurability, WriteBehindQueue } from './write-behind/write-behind.queue.js';
export { isTransientDatabaseError } from './write-behind/write-behind.transient.js';

// Metrics and health
export { RedisHealthIndicator } from './health/redis.health.js';
export { CacheMetrics, type CacheOutcome } from './metrics/cache.metrics.js';
