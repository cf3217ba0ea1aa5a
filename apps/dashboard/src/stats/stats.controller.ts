import { Controller, Get } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { type CacheRead, ServeCacheRead } from '@app/caching';
import { StatsCache } from './stats.cache.js';
import type { Stats } from './stats.query.js';

@ApiTags('stats')
@Controller('stats')
export class StatsController {
  constructor(private readonly stats: StatsCache) {}

  /** Users, orders today, revenue month-to-date and best sellers; refreshed ahead of expiry, so never computed in a request once warm. */
  @Get()
  @ServeCacheRead()
  @ApiOkResponse({ description: 'The aggregates, with computedAt and computeMs' })
  @ApiHeader({ name: 'X-Cache', description: 'HIT, STALE (a refresh is on its way), MISS (cold start) or BYPASS (Redis down)' })
  get(): Promise<CacheRead<Stats>> {
    return this.stats.read();
  }
}
