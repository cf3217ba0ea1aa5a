import type { Provider, Type } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import {
  CACHING_OPTIONS,
  CacheMetrics,
  type CachingModuleOptions,
  REDIS_CLIENT,
  type RedisClient,
  WriteBehindConsumer,
  writeBehindConsumerToken,
  type WriteBehindFlusher,
  WriteBehindMonitor,
} from '@app/caching';
import { CATALOG_CONFIG, type CatalogConfig } from '../catalog.config.js';

/** Entry ids already applied, written in each flush's transaction (idempotent redelivery). */
export const APPLIED_ENTRIES_TABLE = 'catalog.applied_stream_batches';

/**
 * One write-behind topic's consumer, built from the validated catalog config when the app
 * starts (what `WriteBehindModule.forFeature` does with options fixed at import time). It
 * starts on bootstrap, drains before shutdown, and reports to the monitor behind `/health`.
 */
export function writeBehindConsumer<T>(topic: string, flusher: Type<WriteBehindFlusher<T>>): Provider[] {
  return [
    flusher,
    {
      provide: writeBehindConsumerToken(topic),
      inject: [REDIS_CLIENT, CACHING_OPTIONS, CacheMetrics, getDataSourceToken(), flusher, WriteBehindMonitor, CATALOG_CONFIG],
      useFactory: (
        redis: RedisClient,
        caching: CachingModuleOptions,
        metrics: CacheMetrics,
        dataSource: DataSource,
        flush: WriteBehindFlusher<T>,
        monitor: WriteBehindMonitor,
        config: CatalogConfig,
      ) =>
        monitor.register(
          new WriteBehindConsumer<T>({
            topic,
            redis,
            namespace: caching,
            dataSource,
            flusher: flush,
            metrics,
            options: {
              appliedEntriesTable: APPLIED_ENTRIES_TABLE,
              batchSize: config.flushBatchSize,
              flushIntervalMs: config.flushIntervalMs,
              maxDeliveries: config.maxDeliveries,
              claimIdleMs: config.claimIdleMs,
              claimIntervalMs: Math.min(5_000, config.claimIdleMs),
              maxHealthyLagMs: config.maxHealthyLagMs,
            },
          }),
        ),
    },
  ];
}
