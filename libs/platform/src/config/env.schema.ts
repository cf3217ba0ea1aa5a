/** The services of this monorepo, each with its default port. */
export const SERVICE_DEFAULT_PORTS = { users: 3001, catalog: 3002, dashboard: 3003 } as const;
export type ServiceName = keyof typeof SERVICE_DEFAULT_PORTS;

export type HttpAdapterName = 'fastify' | 'express';

export interface RedisNodeAddress {
  host: string;
  port: number;
}

/** Everything a service reads from its environment, validated once at start-up. */
export interface PlatformConfig {
  service: ServiceName;
  port: number;
  host: string;
  httpAdapter: HttpAdapterName;
  databaseUrl: string;
  databasePoolSize: number;
  databaseStatementTimeoutMs: number;
  databaseAcquireTimeoutMs: number;
  /** Exactly one of `redisUrl` / `redisClusterNodes` is set. */
  redisUrl?: string;
  redisClusterNodes?: RedisNodeAddress[];
  redisCommandTimeoutMs: number;
  cachePrefix: string;
  /** Entities kept in the in-process L1 tier (`CACHE_L1_ENTITIES=user,product`); empty: no L1. */
  cacheL1Entities: string[];
  cacheL1TtlMs: number;
  /** Replicas that must acknowledge a write-behind entry (`WAIT`) before it is accepted; 0: none. */
  writeBehindMinReplicas: number;
  writeBehindReplicaTimeoutMs: number;
  healthTimeoutMs: number;
}

/** A configuration problem, worded as the single line a person needs to fix it. */
export class ConfigValidationError extends Error {
  override readonly name = 'ConfigValidationError';
}

type Env = Record<string, string | undefined>;

const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';
const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
// A prefix is a plain word and one colon, so it can never widen a SCAN pattern or open a hash tag.
const CACHE_PREFIX_PATTERN = /^[A-Za-z0-9_.-]{1,32}:$/;

// Whatever sits between `//` and `@` may be a password: never echo it.
const redactCredentials = (value: string) => value.replace(/\/\/[^/@]*@/, '//***@');

function fail(name: string, rule: string, value: string): never {
  throw new ConfigValidationError(`${name} ${rule} (got "${redactCredentials(value)}")`);
}

/** A whole number from the environment within [min, max], or the fallback when unset. Throws {@link ConfigValidationError}. */
export function readIntegerEnv(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) fail(name, `must be a whole number from ${min} to ${max}`, raw);
  const value = Number(raw);
  if (value < min || value > max) fail(name, `must be a whole number from ${min} to ${max}`, raw);
  return value;
}

function url(name: string, raw: string, protocols: string[]): string {
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    fail(name, `must be a URL like ${protocols[0]}//host:port`, raw);
  }
  if (!protocols.includes(parsed.protocol) || !parsed.hostname) {
    fail(name, `must be a URL like ${protocols[0]}//host:port`, raw);
  }
  return raw;
}

function clusterNodes(raw: string): RedisNodeAddress[] {
  const nodes = raw.split(',').map((part) => part.trim()).filter(Boolean);
  if (nodes.length === 0) fail('REDIS_CLUSTER_NODES', 'must list host:port pairs separated by commas', raw);
  return nodes.map((node) => {
    const match = /^([A-Za-z0-9.-]+|\[[0-9a-fA-F:]+\]):(\d{1,5})$/.exec(node);
    const port = match ? Number(match[2]) : 0;
    if (!match || port < 1 || port > 65535) {
      fail('REDIS_CLUSTER_NODES', 'must list host:port pairs separated by commas', raw);
    }
    return { host: match[1].replace(/^\[|\]$/g, ''), port };
  });
}

function l1Entities(raw: string): string[] {
  const entities = raw.split(',').map((part) => part.trim()).filter(Boolean);
  for (const entity of entities) if (!/^[a-z][a-z0-9-]{0,31}$/.test(entity)) fail('CACHE_L1_ENTITIES', 'must list entity names (a-z 0-9 -) separated by commas', raw);
  return entities;
}

/**
 * Reads and validates a service's environment. Throws {@link ConfigValidationError}
 * naming the first bad variable.
 *
 * @example parseEnv(process.env, 'users') // { port: 3001, databaseUrl: 'postgres://…', … }
 */
export function parseEnv(env: Env, service: ServiceName): PlatformConfig {
  const databaseUrl = url('DATABASE_URL', env.DATABASE_URL || DEFAULT_DATABASE_URL, ['postgres:', 'postgresql:']);

  const rawNodes = env.REDIS_CLUSTER_NODES?.trim();
  if (rawNodes && env.REDIS_URL) {
    throw new ConfigValidationError('set either REDIS_URL or REDIS_CLUSTER_NODES, not both');
  }
  const redisClusterNodes = rawNodes ? clusterNodes(rawNodes) : undefined;
  const redisUrl = redisClusterNodes ? undefined : url('REDIS_URL', env.REDIS_URL || DEFAULT_REDIS_URL, ['redis:', 'rediss:']);

  const cachePrefix = env.CACHE_PREFIX || 'cref:';
  if (!CACHE_PREFIX_PATTERN.test(cachePrefix)) {
    fail('CACHE_PREFIX', 'must be 1-32 of A-Z a-z 0-9 _ . - followed by one ":"', cachePrefix);
  }

  const httpAdapter = (env.HTTP_ADAPTER || 'fastify') as HttpAdapterName;
  if (httpAdapter !== 'fastify' && httpAdapter !== 'express') {
    fail('HTTP_ADAPTER', 'must be "fastify" or "express"', httpAdapter);
  }

  return {
    service,
    port: readIntegerEnv(env, 'PORT', SERVICE_DEFAULT_PORTS[service], 0, 65535),
    host: env.HOST || '127.0.0.1',
    httpAdapter,
    databaseUrl,
    databasePoolSize: readIntegerEnv(env, 'DATABASE_POOL_SIZE', 10, 1, 200),
    // Request-sized: a silent database must turn into a 503 within ~2 s. The dashboard's aggregates scan millions of rows.
    databaseStatementTimeoutMs: readIntegerEnv(env, 'DATABASE_STATEMENT_TIMEOUT_MS', service === 'dashboard' ? 10_000 : 1_500, 100, 600_000),
    databaseAcquireTimeoutMs: readIntegerEnv(env, 'DATABASE_ACQUIRE_TIMEOUT_MS', 2_000, 50, 60_000),
    redisUrl,
    redisClusterNodes,
    redisCommandTimeoutMs: readIntegerEnv(env, 'REDIS_COMMAND_TIMEOUT_MS', 250, 10, 60_000),
    cachePrefix,
    cacheL1Entities: l1Entities(env.CACHE_L1_ENTITIES ?? ''),
    cacheL1TtlMs: readIntegerEnv(env, 'CACHE_L1_TTL_MS', 2_000, 10, 3_600_000),
    writeBehindMinReplicas: readIntegerEnv(env, 'WRITE_BEHIND_MIN_REPLICAS', 0, 0, 5),
    writeBehindReplicaTimeoutMs: readIntegerEnv(env, 'WRITE_BEHIND_REPLICA_TIMEOUT_MS', 100, 1, 10_000),
    healthTimeoutMs: readIntegerEnv(env, 'HEALTH_TIMEOUT_MS', 1_000, 50, 60_000),
  };
}
