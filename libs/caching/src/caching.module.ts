import { CacheModule } from '@nestjs/cache-manager';
import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { KeyvAdapter, type CacheManagerStore } from 'cache-manager';
import { redisInsStore } from 'cache-manager-ioredis-yet';
import { Keyv } from 'keyv';
import { REDIS_CLIENT } from './caching.constants.js';
import { CACHING_OPTIONS, CachingConfigurableModule } from './caching.module-definition.js';
import type { CachingModuleOptions } from './caching.options.js';
import { RedisHealthIndicator } from './health/redis.health.js';
import { CacheMethodExplorer } from './decorators/cache-method.explorer.js';
import { CacheEngine } from './engine/cache-engine.service.js';
import { CacheReadInterceptor } from './http/cache-read.interceptor.js';
import { HttpCacheInterceptor } from './http/http-cache.interceptor.js';
import { CacheMetrics } from './metrics/cache.metrics.js';
import { closeRedisClient, createRedisClient, type RedisClient } from './redis/redis.client-factory.js';

/**
 * One Redis (or Cluster) connection for the whole app, shared by
 * `@nestjs/cache-manager` and everything else in this library.
 *
 * @example
 * CachingModule.forRootAsync({
 *   inject: [PLATFORM_CONFIG],
 *   useFactory: (c: PlatformConfig) => ({ redisUrl: c.redisUrl, keyPrefix: c.cachePrefix, service: 'users', commandTimeoutMs: 250 }),
 * })
 */
@Module({
  imports: [
    DiscoveryModule,
    TerminusModule,
    CacheModule.registerAsync({
      inject: [REDIS_CLIENT, CACHING_OPTIONS],
      useFactory: (client: RedisClient, options: CachingModuleOptions) => ({
        ttl: options.defaultTtlMs ?? 60_000,
        stores: [
          new Keyv({
            // cache-manager-ioredis-yet is a cache-manager v5 store; KeyvAdapter plugs it into v7.
            store: new KeyvAdapter(redisInsStore(client) as unknown as CacheManagerStore),
            namespace: `${options.keyPrefix}${options.service}:cm`,
          }),
        ],
      }),
    }),
  ],
  providers: [
    {
      provide: REDIS_CLIENT,
      inject: [CACHING_OPTIONS],
      useFactory: (options: CachingModuleOptions) => createRedisClient(options),
    },
    CacheMetrics,
    CacheEngine,
    CacheMethodExplorer,
    HttpCacheInterceptor,
    CacheReadInterceptor,
    RedisHealthIndicator,
  ],
  exports: [REDIS_CLIENT, CACHING_OPTIONS, CacheModule, CacheMetrics, CacheEngine, HttpCacheInterceptor, CacheReadInterceptor, RedisHealthIndicator],
})
export class CachingModule extends CachingConfigurableModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS_CLIENT) private readonly redis: RedisClient) {
    super();
  }

  async onApplicationShutdown(): Promise<void> {
    await closeRedisClient(this.redis);
  }
}
