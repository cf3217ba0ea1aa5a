import { Module } from '@nestjs/common';
import { InvalidationModule } from '@app/caching';
import { StatsCache } from './stats.cache.js';
import { StatsController } from './stats.controller.js';
import { StatsInvalidation } from './stats.invalidation.js';
import { StatsMetrics } from './stats.metrics.js';
import { StatsQuery } from './stats.query.js';
import { StatsRefreshScheduler } from './stats.scheduler.js';

@Module({
  imports: [InvalidationModule.forFeature({})],
  controllers: [StatsController],
  providers: [StatsQuery, StatsMetrics, StatsCache, StatsRefreshScheduler, StatsInvalidation],
})
export class StatsModule {}
