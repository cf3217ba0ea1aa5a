import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { type CacheEvent, CacheEventConsumers } from '@app/caching';
import { EVENT_STREAMS, ORDER_CREATED, type OrderCreatedPayload } from '@app/contracts';
import { OrderStatsService } from './order-stats.service.js';

/** Catalog's order events → the users service's order figures (consumer group `users`). */
@Injectable()
export class OrderEventsConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly consumers: CacheEventConsumers,
    private readonly stats: OrderStatsService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.consumers.consume({
      stream: EVENT_STREAMS.orders,
      group: 'users',
      handlers: { [ORDER_CREATED]: (event: CacheEvent<OrderCreatedPayload>) => this.stats.apply(event) },
    });
  }
}
