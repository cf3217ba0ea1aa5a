import { randomBytes } from 'node:crypto';
import { parseEnv } from '@app/platform';
import { migrateAll } from '../../scripts/migrate.js';
import { seed } from '../../scripts/seed.js';
import { parsePrometheusText } from '../../apps/dashboard/src/observability/prometheus-text.parser.js';
import { deleteKeysWithPrefix } from '../support/redis-keys.js';
import { createTestDatabase, dropTestDatabase, type TestDatabase } from '../support/test-database.js';
import type { ServiceProcess } from '../support/service-process.js';
import { testRedisConnection } from '../support/test-redis.js';

/** 1,000 users, 100 products, 10,000 orders: real aggregates in milliseconds. */
export const DASHBOARD_SEED_SCALE = 0.01;

const adminUrl = () => parseEnv(process.env, 'users').databaseUrl;

/**
 * A scenario of its own: a seeded database (other specs insert orders into the run's shared
 * one, which would race the counts) and a key prefix nobody else writes under.
 */
export class DashboardScenario {
  private constructor(
    readonly database: TestDatabase,
    readonly prefix: string,
  ) {}

  static async create(label: string, options: { seedScale?: number } = {}): Promise<DashboardScenario> {
    const id = `${process.pid}${randomBytes(2).toString('hex')}`;
    const database = await createTestDatabase(adminUrl(), `cref_dash_${label}_${id}`);
    await migrateAll(database.url);
    if (options.seedScale) await seed(database.url, options.seedScale);
    return new DashboardScenario(database, `d${label.slice(0, 8)}${id}:`);
  }

  /** The service environment: this scenario's database and prefix, peers on a port nobody listens on unless given. */
  env(overrides: Record<string, string> = {}): Record<string, string> {
    return { DATABASE_URL: this.database.url, CACHE_PREFIX: this.prefix, USERS_URL: 'http://127.0.0.1:9', CATALOG_URL: 'http://127.0.0.1:9', ...overrides };
  }

  async close(): Promise<void> {
    await dropTestDatabase(adminUrl(), this.database.name);
    const { redisUrl, redisClusterNodes } = testRedisConnection();
    await deleteKeysWithPrefix(redisClusterNodes ?? redisUrl!, this.prefix).catch(() => undefined);
  }
}

/** Sum of a metric's samples whose labels include `labels`, read from the service's `/metrics`. */
export async function metricValue(service: ServiceProcess, name: string, labels: Record<string, string> = {}): Promise<number> {
  const { text } = await service.request('/metrics');
  return parsePrometheusText(text)
    .filter((s) => s.name === name && Object.entries(labels).every(([key, value]) => s.labels[key] === value))
    .reduce((total, s) => total + s.value, 0);
}
