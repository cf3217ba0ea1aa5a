import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { CacheEventConsumers, type CacheEventHandler } from '@app/caching';
import { EVENT_STREAMS, ORDER_CREATED } from '@app/contracts';
import { DASHBOARD_CONFIG, type DashboardConfig } from '../dashboard.config.js';
import { Debouncer } from './debouncer.js';
import { StatsCache } from './stats.cache.js';

/** The consumer group of every dashboard instance: the instances share each stream's events. */
export const DASHBOARD_CONSUMER_GROUP = 'dashboard';

/**
 * Event-driven invalidation of `/stats`: consumes the users and orders streams. Each event
 * marks the cached value stale at once; the recompute is debounced, so a burst of a
 * thousand orders costs one aggregate, not a thousand.
 *
 * The consumer group hands each event to one dashboard instance, which recomputes and
 * writes the result through; the other instances read the new value from Redis.
 */
@Injectable()
export class StatsInvalidation implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(StatsInvalidation.name);
  private readonly recompute: Debouncer;

  constructor(
    private readonly stats: StatsCache,
    private readonly consumers: CacheEventConsumers,
    @Inject(DASHBOARD_CONFIG) config: DashboardConfig,
  ) {
    this.recompute = new Debouncer(
      () => this.stats.refresh('event'),
      config.invalidationDebounceMs,
      config.invalidationMaxWaitMs,
      (error) => this.logger.warn(`recompute after change events failed; /stats stays stale until the next refresh: ${error.message}`),
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    const changed: CacheEventHandler = () => {
      this.stats.markStale();
      this.recompute.trigger();
    };
    await this.consumers.consume({
      stream: EVENT_STREAMS.users,
      group: DASHBOARD_CONSUMER_GROUP,
      handlers: { 'user.created': changed, 'user.deleted': changed },
    });
    await this.consumers.consume({ stream: EVENT_STREAMS.orders, group: DASHBOARD_CONSUMER_GROUP, handlers: { [ORDER_CREATED]: changed } });
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.recompute.stop();
  }
}
