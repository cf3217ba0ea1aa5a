import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { parseEnv } from '@app/platform';
import { seed } from '../../scripts/seed.js';
import { RedisServer } from '../../test/support/redis-server.js';
import { createTestDatabase, dropTestDatabase } from '../../test/support/test-database.js';
import { BenchProcess } from './bench-process.js';

export type BenchMode = 'full' | 'quick' | 'smoke';

/** How long and how hard each mode runs. `smoke` only proves the suite still works (CI). */
export interface BenchSettings {
  mode: BenchMode;
  /** Interleaved A/B rounds per comparison (smoke: one, it only proves the code path). */
  rounds: number;
  /** Seconds per measured round of a throughput or CPU run. */
  roundS: number;
  warmupS: number;
  /** Concurrent connections of closed-loop throughput runs. */
  connections: number;
  /** Fixed rate of CPU-per-request runs (requests/s). */
  cpuRate: number;
  /** Steady-load duration and rate of the hot-key scenario. */
  hotS: number;
  hotRate: number;
  /** Concurrent cold requests of the stampede scenarios. */
  stampede: number;
  /** Seed volume (1 = 100k users, 10k products, 1M orders). */
  seedScale: number;
}

export const SETTINGS: Record<BenchMode, BenchSettings> = {
  full: { mode: 'full', rounds: 7, roundS: 5, warmupS: 2, connections: 32, cpuRate: 1_500, hotS: 60, hotRate: 300, stampede: 1_000, seedScale: 1 },
  quick: { mode: 'quick', rounds: 5, roundS: 2, warmupS: 1, connections: 32, cpuRate: 1_500, hotS: 20, hotRate: 300, stampede: 1_000, seedScale: 0.2 },
  smoke: { mode: 'smoke', rounds: 1, roundS: 0.3, warmupS: 0, connections: 8, cpuRate: 200, hotS: 1, hotRate: 100, stampede: 100, seedScale: 0.002 },
};

/**
 * What every scenario shares: the settings, a private seeded database, a key prefix of
 * its own, and helpers to start private Redis servers and bench app processes. Everything
 * started here is stopped by {@link close}; the shared Postgres server only sees a
 * database of ours come and go, the shared Redis sees nothing at all.
 */
export class BenchContext {
  readonly cachePrefix = `bench${randomBytes(3).toString('hex')}:`;
  private readonly owned: { stop(): Promise<void> }[] = [];
  /** How long the seed took; -1 when a reused database was already seeded. */
  seededMs = 0;
  /** Rows in the database the run measured (users, products, orders, order items, payments). */
  rows: Record<string, number> = {};

  private constructor(
    readonly settings: BenchSettings,
    readonly databaseUrl: string,
    private readonly dropDatabase: (() => Promise<void>) | undefined,
    readonly log: (line: string) => void,
  ) {}

  /**
   * Creates and seeds a database of the run's own (dropped at close), or uses
   * `BENCH_DATABASE_URL` as is (seeded if empty, never dropped) to save the seed time
   * across runs.
   */
  static async open(settings: BenchSettings, log: (line: string) => void): Promise<BenchContext> {
    const reuse = process.env.BENCH_DATABASE_URL;
    let context: BenchContext;
    if (reuse) {
      context = new BenchContext(settings, reuse, undefined, log);
    } else {
      const admin = parseEnv(process.env, 'users').databaseUrl;
      const database = await createTestDatabase(admin, `cref_bench_${process.pid}${randomBytes(2).toString('hex')}`);
      context = new BenchContext(settings, database.url, () => dropTestDatabase(admin, database.name), log);
      // Ctrl-C must not leave the database behind (the children die with us: test/support/process-cleanup).
      for (const signal of ['SIGINT', 'SIGTERM'] as const) {
        process.once(signal, () => void dropTestDatabase(admin, database.name).finally(() => process.exit(130)));
      }
    }
    const startedAt = performance.now();
    const result = await seed(context.databaseUrl, settings.seedScale);
    context.seededMs = performance.now() - startedAt;
    context.rows = result.rows;
    if (!result.seeded) context.seededMs = -1;
    log(`database: ${result.seeded ? 'seeded' : 'already seeded'} (${result.rows.orders.toLocaleString('en-US')} orders, ${result.rows.products.toLocaleString('en-US')} products) in ${(context.seededMs / 1_000).toFixed(1)} s`);
    const client = new pg.Client({ connectionString: context.databaseUrl });
    await client.connect();
    try {
      await client.query('ANALYZE');
    } finally {
      await client.end();
    }
    return context;
  }

  /** A private redis-server (no persistence), stopped at close: its counters see only this benchmark. */
  async redis(args: string[] = []): Promise<RedisServer> {
    const server = await RedisServer.start({ args });
    this.owned.push({ stop: () => server.close() });
    return server;
  }

  /** A bench app process on `redis` (a URL or cluster node list), this run's database and key prefix. */
  async app(name: string, redis: { url: string } | { clusterNodes: string }, env: Record<string, string> = {}): Promise<BenchProcess> {
    const server = await BenchProcess.start(name, {
      DATABASE_URL: this.databaseUrl,
      CACHE_PREFIX: this.cachePrefix,
      ...('url' in redis ? { REDIS_URL: redis.url, REDIS_CLUSTER_NODES: '' } : { REDIS_CLUSTER_NODES: redis.clusterNodes, REDIS_URL: '' }),
      ...env,
    });
    this.owned.push(server);
    return server;
  }

  /** A real service (`dist/apps/<service>/src/main.js`) on `redis`, this run's database and key prefix. */
  async service(service: 'users' | 'catalog' | 'dashboard', redis: { url: string }, env: Record<string, string> = {}): Promise<BenchProcess> {
    const main = fileURLToPath(new URL(`../../apps/${service}/src/main.js`, import.meta.url));
    const server = await BenchProcess.start(
      service,
      { DATABASE_URL: this.databaseUrl, CACHE_PREFIX: this.cachePrefix, REDIS_URL: redis.url, REDIS_CLUSTER_NODES: '', ...env },
      main,
    );
    this.owned.push(server);
    return server;
  }

  /** Stops what a scenario started (in reverse order), so the next one has the machine to itself. */
  async release(): Promise<void> {
    while (this.owned.length) await this.owned.pop()!.stop().catch(() => undefined);
  }

  /** Registers anything else with a `stop()` (a cluster, a client) to be stopped by {@link release}. */
  own<T extends { stop(): Promise<void> }>(thing: T): T {
    this.owned.push(thing);
    return thing;
  }

  async close(): Promise<void> {
    await this.release();
    await this.dropDatabase?.();
  }
}
