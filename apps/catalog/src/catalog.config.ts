import { registerAs } from '@nestjs/config';
import { ConfigValidationError, readIntegerEnv } from '@app/platform';

/** Cache lifetimes and write-behind settings of the catalog service (ms), validated at start-up. */
export interface CatalogConfig {
  /** Product details: 1-6 h as the seeds advise for a catalog (6 h with 50 % jitter → 3-6 h by default). */
  productTtlMs: number;
  productJitter: number;
  /** After expiry a product is still served for this long while one process refreshes it (and while the database fails). */
  productGraceMs: number;
  /** XFetch β: early recompute before expiry, more eagerly for slow loads. 0 turns it off. */
  productXfetchBeta: number;
  /** "No such product", remembered briefly. */
  notFoundTtlMs: number;
  /** The view route remembers in process that a product exists for this long (0: asks the product cache on every view). */
  viewExistenceMemoMs: number;
  /** Listing pages, dropped by category tag on any change of a product in the category. */
  listTtlMs: number;
  /** How long a stock idempotency key is remembered (a retry after that is applied again). */
  stockIdempotencyTtlMs: number;
  /** Write-behind: the longest an accepted view or stock delta waits for its batch. */
  flushIntervalMs: number;
  /**
   * Entries per flush transaction at most. Large, because a batch is folded per product before it
   * reaches Postgres: at 10k views/s over 1,000 products, batches of 500 updated about 8,000 rows/s
   * and Postgres took 11 % of a core; batches of 5,000, about 2,000 rows/s and 3 %.
   */
  flushBatchSize: number;
  /** Write-behind: deliveries of one entry before it is dead-lettered. */
  maxDeliveries: number;
  /** Write-behind: an entry unacknowledged this long is claimed from its (dead) consumer. */
  claimIdleMs: number;
  /** `/health` turns down when the oldest unflushed entry is older than this. */
  maxHealthyLagMs: number;
  /** Prefetch: how many trending products are warmed, and how often (0 = at boot only). */
  warmTopN: number;
  warmIntervalMs: number;
  /** The CDC listener's own connection (default DATABASE_URL), e.g. through a proxy or straight to the primary. */
  cdcDatabaseUrl: string | undefined;
  /** How often the CDC listener re-reads the changelog while connected (its heartbeat). */
  cdcResyncIntervalMs: number;
}

export const CATALOG_CONFIG = 'catalog-config';

const HOUR_MS = 3_600_000;

export const catalogConfig = registerAs(
  CATALOG_CONFIG,
  (): CatalogConfig => ({
    productTtlMs: readIntegerEnv(process.env, 'PRODUCT_TTL_MS', 6 * HOUR_MS, 1_000, 6 * HOUR_MS),
    productJitter: 0.5,
    productGraceMs: readIntegerEnv(process.env, 'PRODUCT_GRACE_MS', 10 * 60_000, 0, HOUR_MS),
    productXfetchBeta: 1,
    notFoundTtlMs: readIntegerEnv(process.env, 'NOT_FOUND_TTL_MS', 30_000, 100, HOUR_MS),
    viewExistenceMemoMs: readIntegerEnv(process.env, 'VIEW_EXISTENCE_MEMO_MS', 5_000, 0, 60_000),
    listTtlMs: readIntegerEnv(process.env, 'PRODUCT_LIST_TTL_MS', HOUR_MS, 1_000, 6 * HOUR_MS),
    stockIdempotencyTtlMs: readIntegerEnv(process.env, 'STOCK_IDEMPOTENCY_TTL_MS', 24 * HOUR_MS, 60_000, 7 * 24 * HOUR_MS),
    flushIntervalMs: readIntegerEnv(process.env, 'WRITE_BEHIND_FLUSH_INTERVAL_MS', 250, 0, 60_000),
    flushBatchSize: readIntegerEnv(process.env, 'WRITE_BEHIND_BATCH_SIZE', 5_000, 1, 10_000),
    maxDeliveries: readIntegerEnv(process.env, 'WRITE_BEHIND_MAX_DELIVERIES', 5, 1, 100),
    claimIdleMs: readIntegerEnv(process.env, 'WRITE_BEHIND_CLAIM_IDLE_MS', 30_000, 100, HOUR_MS),
    maxHealthyLagMs: readIntegerEnv(process.env, 'WRITE_BEHIND_MAX_LAG_MS', 60_000, 100, HOUR_MS),
    warmTopN: readIntegerEnv(process.env, 'WARM_TOP_N', 50, 0, 1_000),
    warmIntervalMs: readIntegerEnv(process.env, 'WARM_INTERVAL_MS', 5 * 60_000, 0, 24 * HOUR_MS),
    cdcDatabaseUrl: postgresUrl('CDC_DATABASE_URL', process.env.CDC_DATABASE_URL),
    cdcResyncIntervalMs: readIntegerEnv(process.env, 'CDC_RESYNC_INTERVAL_MS', 30_000, 100, HOUR_MS),
  }),
);

function postgresUrl(name: string, raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  let protocol: string | undefined;
  try {
    protocol = new URL(raw).protocol;
  } catch {
    protocol = undefined;
  }
  if (protocol !== 'postgres:' && protocol !== 'postgresql:') {
    throw new ConfigValidationError(`${name} must be a URL like postgres://host:port/database (got "${raw.replace(/\/\/[^/@]*@/, '//***@')}")`);
  }
  return raw;
}
