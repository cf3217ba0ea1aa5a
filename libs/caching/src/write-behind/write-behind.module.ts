import { type DynamicModule, Module, type ModuleMetadata, type Type } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { REDIS_CLIENT } from '../caching.constants.js';
import { CACHING_OPTIONS } from '../caching.module-definition.js';
import type { CachingModuleOptions } from '../caching.options.js';
import { CacheMetrics } from '../metrics/cache.metrics.js';
import type { RedisClient } from '../redis/redis.client-factory.js';
import { writeBehindConsumerToken } from './write-behind.constants.js';
import { WriteBehindConsumer } from './write-behind.consumer.js';
import { WriteBehindHealthIndicator } from './write-behind.health.js';
import type { WriteBehindFlusher } from './write-behind.interfaces.js';
import { WriteBehindMonitor } from './write-behind.monitor.js';
import type { WriteBehindConsumerOptions } from './write-behind.options.js';
import { WriteBehindQueue } from './write-behind.queue.js';

export interface WriteBehindRegistration<T> {
  topic: string;
  /** Provided in this module: it may inject anything global, or what `imports` bring. */
  flusher: Type<WriteBehindFlusher<T>>;
  options: Partial<WriteBehindConsumerOptions> & Pick<WriteBehindConsumerOptions, 'appliedEntriesTable'>;
  imports?: ModuleMetadata['imports'];
  /** Name of the TypeORM data source to flush into (default: the default one). */
  dataSourceName?: string;
  /** Consume in this process (default true). A producer-only process can still inject {@link WriteBehindQueue}. */
  autoStart?: boolean;
}

/** The per-app singletons: the producer, the monitor and the health indicator. */
@Module({
  imports: [TerminusModule],
  providers: [
    {
      provide: WriteBehindQueue,
      inject: [REDIS_CLIENT, CACHING_OPTIONS],
      useFactory: (redis: RedisClient, options: CachingModuleOptions) => new WriteBehindQueue(redis, options, options.writeBehindDurability),
    },
    WriteBehindMonitor,
    WriteBehindHealthIndicator,
  ],
  exports: [WriteBehindQueue, WriteBehindMonitor, WriteBehindHealthIndicator],
})
export class WriteBehindCoreModule {}

/**
 * Registers one topic: its flusher, and a consumer that starts on application bootstrap
 * and drains before shutdown. Needs `CachingModule` and `TypeOrmModule` in the app.
 *
 * @example
 * @Module({
 *   imports: [
 *     WriteBehindModule.forFeature({
 *       topic: 'views',
 *       flusher: ProductViewsFlusher,
 *       options: { appliedEntriesTable: 'catalog.applied_stream_batches', batchSize: 500, flushIntervalMs: 1_000 },
 *     }),
 *   ],
 * })
 * export class ProductsModule {}
 * // in a service: constructor(private readonly queue: WriteBehindQueue) {}  ...  await this.queue.enqueue('views', { productId })
 */
@Module({})
export class WriteBehindModule {
  static forFeature<T>(registration: WriteBehindRegistration<T>): DynamicModule {
    const token = writeBehindConsumerToken(registration.topic);
    return {
      module: WriteBehindModule,
      imports: [WriteBehindCoreModule, ...(registration.imports ?? [])],
      providers: [
        registration.flusher,
        {
          provide: token,
          inject: [REDIS_CLIENT, CACHING_OPTIONS, CacheMetrics, getDataSourceToken(registration.dataSourceName), registration.flusher, WriteBehindMonitor],
          useFactory: (
            redis: RedisClient,
            caching: CachingModuleOptions,
            metrics: CacheMetrics,
            dataSource: DataSource,
            flusher: WriteBehindFlusher<T>,
            monitor: WriteBehindMonitor,
          ) =>
            monitor.register(
              new WriteBehindConsumer<T>({
                topic: registration.topic,
                redis,
                namespace: caching,
                dataSource,
                flusher,
                metrics,
                options: registration.options,
                autoStart: registration.autoStart,
              }),
            ),
        },
      ],
      exports: [token, WriteBehindCoreModule],
    };
  }
}
