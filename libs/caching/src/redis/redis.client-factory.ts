import { Logger } from '@nestjs/common';
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { CachingModuleOptions } from '../caching.options.js';

/** The project's Redis connection: one node or a cluster. */
export type RedisClient = Redis | Cluster;

const MAX_RECONNECT_DELAY_MS = 2_000;

/**
 * Builds the one shared client. Fail-open settings: no offline queue (a command
 * while disconnected fails at once instead of piling up), a per-command timeout,
 * and reconnects forever with a capped backoff.
 */
export function createRedisClient(options: CachingModuleOptions): RedisClient {
  const logger = new Logger('Redis');
  const common: RedisOptions = {
    commandTimeout: options.commandTimeoutMs,
    connectTimeout: options.connectTimeoutMs ?? 2_000,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: (attempt) => Math.min(attempt * 100, MAX_RECONNECT_DELAY_MS),
    lazyConnect: false,
  };
  const client: RedisClient = options.redisClusterNodes?.length
    ? new Cluster(options.redisClusterNodes, {
        redisOptions: common,
        enableOfflineQueue: false,
        clusterRetryStrategy: common.retryStrategy,
        scaleReads: 'master',
        slotsRefreshTimeout: 2_000,
        // After a master dies, commands to it fail until the client learns the new slot map: poll it
        // every second (ioredis defaults to 5 s), so a failover costs about cluster-node-timeout + 1 s.
        slotsRefreshInterval: 1_000,
      })
    : new Redis(options.redisUrl ?? 'redis://127.0.0.1:6379', common);

  let lastLoggedAt = 0;
  client.on('error', (error: Error) => {
    // One line per burst: a down Redis emits an error on every reconnect attempt.
    if (Date.now() - lastLoggedAt > 10_000) {
      lastLoggedAt = Date.now();
      logger.warn(`Redis unavailable, serving without cache: ${error.message}`);
    }
  });
  return client;
}

/** A second connection with the same settings, for blocking reads and subscribers. */
export function duplicateForBlocking(client: RedisClient): RedisClient {
  // Blocking reads (XREADGROUP BLOCK) outlive any command timeout, and may wait for the connection.
  if (client instanceof Cluster) {
    return client.duplicate(undefined, {
      enableOfflineQueue: true,
      redisOptions: { ...client.options.redisOptions, commandTimeout: undefined },
    });
  }
  return client.duplicate({ commandTimeout: undefined, enableOfflineQueue: true });
}

/** Closes a client without waiting on a Redis that does not answer. */
export async function closeRedisClient(client: RedisClient): Promise<void> {
  if (client.status === 'end') return;
  try {
    await Promise.race([client.quit(), new Promise((resolve) => setTimeout(resolve, 500).unref())]);
  } catch {
    // quit fails when the connection is already gone; disconnect below either way
  }
  client.disconnect();
}
