import type { DataSourceOptions } from 'typeorm';
import type { PlatformConfig } from '../config/env.schema.js';

type PostgresOptions = Extract<DataSourceOptions, { type: 'postgres' }>;

/** Connection and pool settings shared by the services, the migrator and the seeder. */
export function postgresOptions(
  config: Pick<PlatformConfig, 'databaseUrl' | 'databasePoolSize' | 'databaseAcquireTimeoutMs' | 'databaseStatementTimeoutMs'>,
): PostgresOptions {
  return {
    type: 'postgres',
    url: config.databaseUrl,
    synchronize: false,
    // ids and counts are bigint in SQL; every one here fits a JS number (< 2^53).
    parseInt8: true,
    migrationsTableName: 'typeorm_migrations',
    extra: {
      max: config.databasePoolSize,
      // pg waits this long for a free pooled connection (and for a new one), then fails: a 503, never a hang.
      connectionTimeoutMillis: config.databaseAcquireTimeoutMs,
      statement_timeout: config.databaseStatementTimeoutMs,
      idleTimeoutMillis: 30_000,
    },
  };
}
