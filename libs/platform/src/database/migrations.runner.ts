import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type Migration } from 'typeorm';
import type { PlatformConfig } from '../config/env.schema.js';
import { PLATFORM_CONFIG } from '../config/platform.config.js';
import { postgresOptions } from './postgres.options.js';

// One lock for every process that migrates this database: the three services, `npm run migrate`, the seed.
const MIGRATION_LOCK_KEY = 727_001;
/** A migration may rebuild an index over millions of rows: far longer than a request may take. */
const MIGRATION_STATEMENT_TIMEOUT_MS = 30 * 60_000;

/**
 * Runs pending migrations under a Postgres advisory lock, so services starting together
 * (or a service and the seed) never apply the same migration twice.
 */
export async function runMigrationsLocked(dataSource: DataSource): Promise<Migration[]> {
  const lock = dataSource.createQueryRunner();
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    return await dataSource.runMigrations({ transaction: 'each' });
  } finally {
    await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await lock.release();
  }
}

/**
 * Applies the service's migrations at boot, before it serves, on a connection of their own:
 * the service's pool has request-sized timeouts, which a long migration must not inherit.
 */
@Injectable()
export class MigrationsRunner implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(PLATFORM_CONFIG) private readonly config: PlatformConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    const migrations = this.dataSource.options.migrations;
    if (!Array.isArray(migrations) || migrations.length === 0) return;
    const migrator = new DataSource({
      ...postgresOptions({ ...this.config, databasePoolSize: 2, databaseStatementTimeoutMs: MIGRATION_STATEMENT_TIMEOUT_MS }),
      migrations,
    });
    await migrator.initialize();
    try {
      await runMigrationsLocked(migrator);
    } finally {
      await migrator.destroy();
    }
  }
}
