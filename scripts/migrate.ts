import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { parseEnv, postgresOptions, runMigrationsLocked } from '@app/platform';
import { CATALOG_MIGRATIONS } from '../apps/catalog/src/database/catalog.migrations.js';
import { USERS_MIGRATIONS } from '../apps/users/src/database/users.migrations.js';

/** Applies the users and catalog migrations to `databaseUrl` (the services also apply their own at boot). */
export async function migrateAll(databaseUrl: string): Promise<string[]> {
  const applied: string[] = [];
  for (const migrations of [USERS_MIGRATIONS, CATALOG_MIGRATIONS]) {
    const dataSource = new DataSource({
      ...postgresOptions({ databaseUrl, databasePoolSize: 2, databaseAcquireTimeoutMs: 5_000, databaseStatementTimeoutMs: 600_000 }),
      migrations,
      migrationsTransactionMode: 'each',
    });
    await dataSource.initialize();
    try {
      applied.push(...(await runMigrationsLocked(dataSource)).map((m) => m.name));
    } finally {
      await dataSource.destroy();
    }
  }
  return applied;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { databaseUrl } = parseEnv(process.env, 'users');
  const applied = await migrateAll(databaseUrl);
  console.log(applied.length ? `applied ${applied.join(', ')}` : 'database is up to date');
}
