import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { REDIS_CLIENT } from '../caching.constants.js';
import type { RedisClient } from '../redis/redis.client-factory.js';

/** Terminus indicator: `PING` on the shared client, bounded by `timeoutMs`. */
@Injectable()
export class RedisHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
  ) {}

  async pingCheck(key = 'redis', timeoutMs = 1_000) {
    const indicator = this.health.check(key);
    const startedAt = performance.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.redis.ping(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
      return indicator.up({ responseTimeMs: Math.round(performance.now() - startedAt) });
    } catch (error) {
      return indicator.down({ message: (error as Error).message, status_detail: this.redis.status });
    } finally {
      clearTimeout(timer);
    }
  }
}
