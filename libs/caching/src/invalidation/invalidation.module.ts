import { Module } from '@nestjs/common';
import { REDIS_CLIENT } from '../caching.constants.js';
import { CACHING_OPTIONS } from '../caching.module-definition.js';
import type { CachingModuleOptions } from '../caching.options.js';
import { CacheMetrics } from '../metrics/cache.metrics.js';
import type { RedisClient } from '../redis/redis.client-factory.js';
import { CacheEventPublisher } from './cache-event.publisher.js';
import { CacheEventConsumers } from './cache-event-consumers.service.js';
import { INVALIDATION_OPTIONS, InvalidationConfigurableModule } from './invalidation.module-definition.js';
import { InvalidationMetrics } from './invalidation.metrics.js';
import { DEFAULT_STREAM_MAX_LENGTH, type InvalidationModuleOptions } from './invalidation.options.js';
import { PgChangeListeners } from './pg-change-listeners.service.js';

/**
 * Event-driven (Redis Streams) and CDC (Postgres LISTEN/NOTIFY) invalidation for one
 * service, on the global `CachingModule`'s Redis client. Handlers call the engine
 * (`delete`, `invalidateTags`, `bumpGeneration`); an in-process L1 tier, when it comes,
 * hooks in behind those engine calls (a pub/sub broadcast), so nothing here changes.
 *
 * @example
 * InvalidationModule.forFeatureAsync({
 *   inject: [PLATFORM_CONFIG],
 *   useFactory: (c: PlatformConfig) => ({ databaseUrl: c.databaseUrl }),
 * })
 */
@Module({
  providers: [
    {
      provide: InvalidationMetrics,
      inject: [CacheMetrics],
      useFactory: (metrics: CacheMetrics) => new InvalidationMetrics(metrics.registry),
    },
    {
      provide: CacheEventPublisher,
      inject: [REDIS_CLIENT, CACHING_OPTIONS, INVALIDATION_OPTIONS],
      useFactory: (redis: RedisClient, caching: CachingModuleOptions, options: InvalidationModuleOptions) =>
        new CacheEventPublisher(redis, { keyPrefix: caching.keyPrefix, streamMaxLength: options.streamMaxLength ?? DEFAULT_STREAM_MAX_LENGTH }),
    },
    CacheEventConsumers,
    PgChangeListeners,
  ],
  exports: [CacheEventPublisher, CacheEventConsumers, PgChangeListeners],
})
export class InvalidationModule extends InvalidationConfigurableModule {}
