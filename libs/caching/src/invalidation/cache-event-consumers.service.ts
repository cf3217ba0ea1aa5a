import { type BeforeApplicationShutdown, Inject, Injectable } from '@nestjs/common';
import { REDIS_CLIENT } from '../caching.constants.js';
import { CACHING_OPTIONS } from '../caching.module-definition.js';
import type { CachingModuleOptions } from '../caching.options.js';
import type { RedisClient } from '../redis/redis.client-factory.js';
import { CacheEventConsumer } from './cache-event.consumer.js';
import type { CacheEventConsumerOptions, CacheEventConsumerStats } from './cache-event-consumer.options.js';
import { InvalidationMetrics } from './invalidation.metrics.js';

/**
 * Starts stream consumers for a service and stops them (gracefully) before the Redis
 * connection closes at shutdown. Their pending and lag appear on `/metrics`.
 *
 * @example
 * async onApplicationBootstrap() {
 *   await this.consumers.consume({ stream: 'users', group: 'dashboard', handlers: {
 *     'user.created': () => this.engine.bumpGeneration('user-count'),
 *   } });
 * }
 */
@Injectable()
export class CacheEventConsumers implements BeforeApplicationShutdown {
  private readonly running = new Map<CacheEventConsumer, () => void>();

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
    @Inject(CACHING_OPTIONS) private readonly options: CachingModuleOptions,
    private readonly metrics: InvalidationMetrics,
  ) {}

  async consume(options: CacheEventConsumerOptions): Promise<CacheEventConsumer> {
    const consumer = new CacheEventConsumer(this.redis, this.options.keyPrefix, options, this.metrics);
    await consumer.start();
    this.running.set(consumer, this.metrics.watch(() => consumer.stats()));
    return consumer;
  }

  /** Pending and lag of every consumer group this service runs. */
  stats(): Promise<CacheEventConsumerStats[]> {
    return Promise.all([...this.running.keys()].map((consumer) => consumer.stats()));
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(
      [...this.running].map(async ([consumer, unwatch]) => {
        unwatch();
        await consumer.stop();
      }),
    );
    this.running.clear();
  }
}
