import { type DynamicModule, Module } from '@nestjs/common';
import { WriteBehindModule } from '@app/caching';
import { PlatformModule } from '@app/platform';
import { type BenchAppOptions, BENCH_VIEWS_TOPIC } from './bench-app.options.js';
import { BenchController } from './bench.controller.js';
import { BenchProductsQuery } from './bench-products.query.js';
import { BenchViewsFlusher } from './bench-views.flusher.js';
import { HotKeyController } from './hot-key.controller.js';
import { SalesAggregate } from './sales.aggregate.js';
import { StatsQuery } from '../../apps/dashboard/src/stats/stats.query.js';
import { WriteBehindController } from './write-behind.controller.js';

/**
 * The bench-only app: the platform a catalog process has (config, Postgres, the shared
 * Redis client with `@nestjs/cache-manager` on it, /metrics with `db_queries_total`), and
 * routes that put each contender on identical work. The database is migrated and seeded
 * by the benchmark runner, so this app runs no migrations.
 */
@Module({})
export class BenchAppModule {
  static forRoot(options: BenchAppOptions): DynamicModule {
    const writeBehind = options.writeBehind !== 'off'
      ? [
          WriteBehindModule.forFeature({
            topic: BENCH_VIEWS_TOPIC,
            flusher: BenchViewsFlusher,
            options: { appliedEntriesTable: 'catalog.applied_stream_batches', batchSize: 5_000, flushIntervalMs: 100 },
            autoStart: options.writeBehind === 'on',
          }),
        ]
      : [];
    return {
      module: BenchAppModule,
      imports: [PlatformModule.forService({ service: 'catalog' }), ...writeBehind],
      controllers: [BenchController, HotKeyController, ...(options.writeBehind !== 'off' ? [WriteBehindController] : [])],
      providers: [BenchProductsQuery, SalesAggregate, StatsQuery],
    };
  }
}
