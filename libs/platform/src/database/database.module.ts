import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CacheMetrics } from '@app/caching';
import type { MigrationInterface } from 'typeorm';
import { PLATFORM_CONFIG } from '../config/platform.config.js';
import type { PlatformConfig } from '../config/env.schema.js';
import { postgresOptions } from './postgres.options.js';
import { MigrationsRunner } from './migrations.runner.js';
import { QueryCountingLogger } from './query-counting.logger.js';

export interface DatabaseModuleOptions {
  /** The migrations this service owns; applied at boot. */
  migrations?: (new () => MigrationInterface)[];
}

/** TypeORM on the service's Postgres pool; entities come from `TypeOrmModule.forFeature`. */
@Module({})
export class DatabaseModule {
  static forService(options: DatabaseModuleOptions = {}): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [PLATFORM_CONFIG, CacheMetrics],
          useFactory: (config: PlatformConfig, metrics: CacheMetrics) => ({
            ...postgresOptions(config),
            logging: ['query', 'error', 'warn', 'migration'],
            logger: new QueryCountingLogger(metrics.registry),
            maxQueryExecutionTime: 1_000,
            autoLoadEntities: true,
            migrations: options.migrations ?? [],
            migrationsRun: false,
            migrationsTransactionMode: 'each',
            retryAttempts: 3,
            retryDelay: 1_000,
          }),
        }),
      ],
      providers: [MigrationsRunner],
    };
  }
}
