import { registerAs } from '@nestjs/config';
import { ConfigValidationError, readIntegerEnv, SERVICE_DEFAULT_PORTS } from '@app/platform';

type Env = Record<string, string | undefined>;

/** What the dashboard reads on top of the platform config; all durations in milliseconds. */
export interface DashboardConfig {
  /** Base URLs of the services whose `/metrics` `/cache` reads and whose routes the playground drives. */
  usersUrl: string;
  catalogUrl: string;
  /** How long a computed `/stats` is fresh; a background refresh replaces it at `statsRefreshShare` of this. */
  statsTtlMs: number;
  /** How long past `statsTtlMs` a stale `/stats` may still be served while it is recomputed (or while Postgres fails). */
  statsGraceMs: number;
  /** Share of `statsTtlMs` after which the scheduler recomputes (0.8: at 80 %). */
  statsRefreshShare: number;
  /** Quiet period after the last change event before `/stats` is recomputed. */
  invalidationDebounceMs: number;
  /** A burst that never goes quiet still recomputes at least this often. */
  invalidationMaxWaitMs: number;
  /** Timeout of each `/metrics` scrape and playground call to another service. */
  peerTimeoutMs: number;
}

export const DASHBOARD_CONFIG = 'dashboard';

/** Names {@link parseDashboardEnv} reads, for tools that check an environment (compose). */
export const DASHBOARD_ENV_NAMES = [
  'USERS_URL',
  'CATALOG_URL',
  'STATS_TTL_MS',
  'STATS_GRACE_MS',
  'INVALIDATION_DEBOUNCE_MS',
  'PEER_TIMEOUT_MS',
] as const;

function serviceUrl(env: Env, name: 'USERS_URL' | 'CATALOG_URL', defaultPort: number): string {
  const raw = env[name] || `http://127.0.0.1:${defaultPort}`;
  let parsed: URL | undefined;
  try {
    parsed = new URL(raw);
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || parsed.pathname !== '/' || parsed.search || parsed.username) {
    throw new ConfigValidationError(`${name} must be a base URL like http://host:port, without path or credentials (got "${raw.replace(/\/\/[^/@]*@/, '//***@')}")`);
  }
  return parsed.origin;
}

/**
 * Reads and validates the dashboard's own variables (`USERS_URL`, `CATALOG_URL`, stats
 * timings). Throws {@link ConfigValidationError} naming the first bad one.
 *
 * @example parseDashboardEnv({ CATALOG_URL: 'http://catalog:3002' }).catalogUrl // 'http://catalog:3002'
 */
export function parseDashboardEnv(env: Env): DashboardConfig {
  const statsTtlMs = readIntegerEnv(env, 'STATS_TTL_MS', 60_000, 1_000, 24 * 3_600_000);
  const invalidationDebounceMs = readIntegerEnv(env, 'INVALIDATION_DEBOUNCE_MS', 250, 0, 60_000);
  return {
    usersUrl: serviceUrl(env, 'USERS_URL', SERVICE_DEFAULT_PORTS.users),
    catalogUrl: serviceUrl(env, 'CATALOG_URL', SERVICE_DEFAULT_PORTS.catalog),
    statsTtlMs,
    statsGraceMs: readIntegerEnv(env, 'STATS_GRACE_MS', 15 * 60_000, 0, 24 * 3_600_000),
    statsRefreshShare: 0.8,
    invalidationDebounceMs,
    invalidationMaxWaitMs: Math.max(1_000, 4 * invalidationDebounceMs),
    peerTimeoutMs: readIntegerEnv(env, 'PEER_TIMEOUT_MS', 1_000, 50, 60_000),
  };
}

/** `registerAs` factory, validated when the config module loads (so at start-up). */
export const dashboardConfig = registerAs(DASHBOARD_CONFIG, (): DashboardConfig => parseDashboardEnv(process.env));
