import pg from 'pg';
import { ConfigValidationError, parseEnv } from '@app/platform';
import { migrateAll } from './migrate.js';
import { parseSeedScale, seedCounts, SeedScaleError } from './seed/seed.scale.js';
import {
  IDENTITY_TABLES,
  ORDER_ITEMS_PLAN_SQL,
  ORDER_ITEMS_SQL,
  ORDER_PLAN_SQL,
  ORDERS_SQL,
  PAYMENTS_SQL,
  ORDER_STATS_SQL,
  PRODUCTS_SQL,
  resetIdentitySql,
  SEEDED_TABLES,
  USERS_SQL,
} from './seed/seed.sql.js';

export type SeededRows = Record<keyof typeof SEEDED_TABLES, number>;

export interface SeedResult {
  /** False when the database already held data and nothing was written. */
  seeded: boolean;
  /** Rows in the seeded tables when the run finished. */
  rows: SeededRows;
  elapsedMs: number;
}

export interface SeedOptions {
  /** Receives one line per step; silent by default. */
  log?: (line: string) => void;
}

// Two seeders started at once (two `npm start`s) queue on this lock instead of both migrating and inserting.
const SEED_LOCK_KEY = 'nest-redis-caching-reference:seed';

/**
 * `npm run seed`: applies the migrations, then fills users, products, orders, order items
 * and payments inside Postgres in one transaction, `scale` times the default volume
 * (100k users, 10k products, 1M orders). A database that already holds users, products or
 * orders is left alone, so running it twice is safe.
 *
 * @example await seed('postgres://postgres@127.0.0.1:5432/test', 0.01) // 1k users, 100 products, 10k orders
 */
export async function seed(databaseUrl: string, scale: number, options: SeedOptions = {}): Promise<SeedResult> {
  const log = options.log ?? (() => undefined);
  const counts = seedCounts(scale);
  const startedAt = performance.now();

  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`SET statement_timeout = 0`);
    await client.query(`SET temp_buffers = '256MB'`);
    // Held until the connection closes: covers the migrations too, which race when two runners create their tables at once.
    await client.query(`SELECT pg_advisory_lock(hashtext($1))`, [SEED_LOCK_KEY]);
    await migrateAll(databaseUrl);

    await client.query('BEGIN');
    await client.query(`SET LOCAL work_mem = '256MB'`);

    const before = await countRows(client);
    if (before.users + before.products + before.orders > 0) {
      await client.query('ROLLBACK');
      return { seeded: false, rows: before, elapsedMs: performance.now() - startedAt };
    }

    const step = async (name: string, sql: string, params: number[]) => {
      const stepStartedAt = performance.now();
      const { rowCount } = await client.query(sql, params);
      log(`  ${name}: ${rowCount ?? 0} rows in ${formatSeconds(performance.now() - stepStartedAt)}`);
    };
    await step('users', USERS_SQL, [counts.users]);
    await step('products', PRODUCTS_SQL, [counts.products]);
    await step('order plan', ORDER_PLAN_SQL, [counts.users, counts.products, counts.orders]);
    await step('order item plan', ORDER_ITEMS_PLAN_SQL, [counts.products]);
    await step('orders', ORDERS_SQL, []);
    await step('order items', ORDER_ITEMS_SQL, []);
    await step('payments', PAYMENTS_SQL, []);
    await step('order stats', ORDER_STATS_SQL, []);
    for (const table of IDENTITY_TABLES) await client.query(resetIdentitySql(table));
    await client.query('COMMIT');

    // VACUUM sets the visibility map, so the dashboard's index-only scans (orders by created_at) skip the heap from the start.
    const vacuumStartedAt = performance.now();
    await client.query(`VACUUM (ANALYZE) ${Object.values(SEEDED_TABLES).join(', ')}`);
    log(`  vacuum analyze: ${formatSeconds(performance.now() - vacuumStartedAt)}`);

    return { seeded: true, rows: await countRows(client), elapsedMs: performance.now() - startedAt };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }
}

/** One line saying what a seed run did, for the CLI and `npm start`. */
export function describeSeedResult({ seeded, rows, elapsedMs }: SeedResult): string {
  const summary = `${rows.users} users, ${rows.products} products, ${rows.orders} orders, ${rows.orderItems} order items, ${rows.payments} payments`;
  return seeded
    ? `seeded ${summary} in ${formatSeconds(elapsedMs)}`
    : `database already has data (${summary}); nothing seeded`;
}

async function countRows(client: pg.Client): Promise<SeededRows> {
  const columns = Object.entries(SEEDED_TABLES).map(([name, table]) => `(SELECT count(*) FROM ${table})::int AS "${name}"`);
  const { rows } = await client.query<SeededRows>(`SELECT ${columns.join(', ')}`);
  return rows[0];
}

function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  let databaseUrl: string;
  let scale: number;
  try {
    databaseUrl = parseEnv(process.env, 'users').databaseUrl;
    scale = parseSeedScale(process.env.SEED_SCALE);
  } catch (error) {
    if (!(error instanceof SeedScaleError || error instanceof ConfigValidationError)) throw error;
    process.stderr.write(`seed: ${error.message}\n`);
    process.exit(1);
  }
  console.log(`seeding at scale ${scale} (${JSON.stringify(seedCounts(scale))})`);
  console.log(describeSeedResult(await seed(databaseUrl, scale, { log: console.log })));
}
