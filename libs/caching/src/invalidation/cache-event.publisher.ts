import { eventStreamKey } from '../keys/event-stream.key.js';
import type { RedisClient } from '../redis/redis.client-factory.js';
import { type CacheEvent, type CacheEventInput, EVENT_FIELD, toEnvelope } from './cache-event.envelope.js';

export interface CacheEventPublisherSettings {
  keyPrefix: string;
  /**
   * Approximate cap on entries kept per stream (`XADD MAXLEN ~ N`). A consumer group that
   * falls more than N events behind loses the oldest ones: size it for the longest outage
   * of a consumer you want to ride out, and watch `lag`.
   */
  streamMaxLength: number;
}

/**
 * Publishes change events to a stream shared by every service (`<prefix>events:{<stream>}`).
 * Call it after the database commit. It rejects when Redis is unavailable; a lost
 * invalidation event leaves a cached value stale until its TTL, so publish what the TTL
 * cannot tolerate from a transactional outbox (or use the CDC listener) instead.
 *
 * @example
 * await publisher.publish('users', { type: 'user.updated', payload: { id: 42 } });
 */
export class CacheEventPublisher {
  constructor(
    private readonly redis: RedisClient,
    private readonly settings: CacheEventPublisherSettings,
  ) {
    if (!Number.isSafeInteger(settings.streamMaxLength) || settings.streamMaxLength < 1) {
      throw new RangeError(`streamMaxLength must be a positive integer, got ${settings.streamMaxLength}`);
    }
  }

  /** Appends the event; resolves with the envelope as sent and its stream entry id. */
  async publish<T>(stream: string, input: CacheEventInput<T>): Promise<{ entryId: string; event: CacheEvent<T> }> {
    const event = toEnvelope(input);
    const key = eventStreamKey(this.settings.keyPrefix, stream);
    const entryId = await this.redis.xadd(key, 'MAXLEN', '~', this.settings.streamMaxLength, '*', EVENT_FIELD, JSON.stringify(event));
    return { entryId: entryId!, event };
  }
}
