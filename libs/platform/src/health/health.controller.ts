import { Controller, Get, Inject, Optional } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, type HealthIndicatorFunction, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { RedisHealthIndicator } from '@app/caching';
import { PLATFORM_CONFIG } from '../config/platform.config.js';
import type { PlatformConfig } from '../config/env.schema.js';
import { EXTRA_HEALTH_CHECKS } from './health.constants.js';

/** `GET /health`: database and Redis pings (each with a timeout), plus what the service adds. */
@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly redis: RedisHealthIndicator,
    @Inject(PLATFORM_CONFIG) private readonly config: PlatformConfig,
    @Optional() @Inject(EXTRA_HEALTH_CHECKS) private readonly extra: HealthIndicatorFunction[] = [],
  ) {}

  @Get()
  @HealthCheck()
  check() {
    const timeout = this.config.healthTimeoutMs;
    return this.health.check([
      () => this.database.pingCheck('database', { timeout }),
      () => this.redis.pingCheck('redis', timeout),
      ...this.extra,
    ]);
  }
}
