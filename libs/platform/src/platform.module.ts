import { type DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { TerminusModule } from '@nestjs/terminus';
import { CachingModule } from '@app/caching';
import { type PlatformConfig, type ServiceName } from './config/env.schema.js';
import { PLATFORM_CONFIG, platformConfig } from './config/platform.config.js';
import { DatabaseModule, type DatabaseModuleOptions } from './database/database.module.js';
import { HealthController } from './health/health.controller.js';
import { MetricsController } from './metrics/metrics.controller.js';

export interface PlatformModuleOptions extends DatabaseModuleOptions {
  service: ServiceName;
}

/**
 * What every service has: validated config, Postgres, the shared Redis client and cache,
 * `/health` and `/metrics`.
 */
@Module({})
export class PlatformModule {
  static forService(options: PlatformModuleOptions): DynamicModule {
    const config = platformConfig(options.service);
    return {
      module: PlatformModule,
      global: true,
      imports: [
        ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [config] }),
        TerminusModule,
        CachingModule.forRootAsync({
          inject: [PLATFORM_CONFIG],
          useFactory: (c: PlatformConfig) => ({
            redisUrl: c.redisUrl,
            redisClusterNodes: c.redisClusterNodes,
            keyPrefix: c.cachePrefix,
            service: c.service,
            commandTimeoutMs: c.redisCommandTimeoutMs,
            writeBehindDurability: { minReplicas: c.writeBehindMinReplicas, replicaTimeoutMs: c.writeBehindReplicaTimeoutMs },
            l1: c.cacheL1Entities.length ? { entities: c.cacheL1Entities, ttlMs: c.cacheL1TtlMs } : undefined,
          }),
        }),
        DatabaseModule.forService(options),
      ],
      providers: [{ provide: PLATFORM_CONFIG, inject: [config.KEY], useFactory: (c: PlatformConfig) => c }],
      controllers: [HealthController, MetricsController],
      exports: [PLATFORM_CONFIG],
    };
  }
}
