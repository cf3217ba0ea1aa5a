import { Injectable, Logger } from '@nestjs/common';
import { CacheEventPublisher } from '@app/caching';
import { EVENT_STREAMS, type UserChangedPayload, type UserEventType } from '@app/contracts';

/** Publishes user changes to the users stream (bounded with `MAXLEN ~`), for the dashboard and other services. */
@Injectable()
export class UserEventsPublisher {
  private readonly logger = new Logger(UserEventsPublisher.name);

  constructor(private readonly publisher: CacheEventPublisher) {}

  /** After the commit. A failed publish is logged, not thrown: the write succeeded, and consumers' caches expire by TTL. */
  async changed(type: UserEventType, id: number): Promise<void> {
    try {
      await this.publisher.publish<UserChangedPayload>(EVENT_STREAMS.users, { type, payload: { id } });
    } catch (error) {
      this.logger.warn(`could not publish ${type} for user ${id}: ${(error as Error).message}`);
    }
  }
}
