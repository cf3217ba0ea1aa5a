import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { MigrationInterface } from 'typeorm';
import { PLATFORM_CONFIG } from '../config/platform.config.js';
import type { PlatformConfig } from '../config/env.schema.js';
import { postgresOptions } from './postgres.options.js';

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
          inject: [PLATFORM_CONFIG],
          useFactory: (config: PlatformConfig) => ({
            ...postgresOptions(config),
            autoLoadEntities: true,
            migrations: options.migrations ?? [],
            migrationsRun: (options.migrations?.length ?? 0) > 0,
            migrationsTransactionMode: 'each',
            retryAttempts: 3,
            retryDelay: 1_000,
          }),
        }),
      ],
    };
  }
}
