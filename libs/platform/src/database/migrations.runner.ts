import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, Migration } from 'typeorm';

// One lock for every process that migrates this database: the three services, `npm run migrate`, the seed.
const MIGRATION_LOCK_KEY = 727_001;

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

/** Applies the service's migrations at boot, before it serves. */
@Injectable()
export class MigrationsRunner implements OnModuleInit {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async onModuleInit(): Promise<void> {
    if (this.dataSource.migrations.length) await runMigrationsLocked(this.dataSource);
  }
}
