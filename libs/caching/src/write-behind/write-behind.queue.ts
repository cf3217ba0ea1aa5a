import type { CachingModuleOptions } from '../caching.options.js';
import type { RedisClient } from '../redis/redis.client-factory.js';
import { WriteBehindUnavailableError } from './write-behind.errors.js';
import { writeBehindKeys } from './write-behind.keys.js';

/** The one field of a stream entry: the payload as JSON. */
export const PAYLOAD_FIELD = 'p';

/**
 * The producer side: appends writes to a topic's durable Redis Stream. Never trims
 * (`MAXLEN` would drop entries nobody has flushed yet); consumers trim what they flushed.
 *
 * Unlike the cache, this is not fail-open: an entry Redis did not store would be a lost
 * write, so `enqueue` throws {@link WriteBehindUnavailableError} (answer 503) instead.
 *
 * @example
 * const id = await queue.enqueue('views', { productId: 42 }); // '1732300000000-0'
 */
export class WriteBehindQueue {
  constructor(
    private readonly redis: RedisClient,
    private readonly namespace: Pick<CachingModuleOptions, 'keyPrefix' | 'service'>,
  ) {}

  /** Appends one JSON-serializable payload; resolves with its entry id once Redis has it. */
  async enqueue(topic: string, payload: unknown): Promise<string> {
    const { stream } = writeBehindKeys(this.namespace, topic);
    const body = JSON.stringify(payload);
    if (body === undefined) throw new TypeError(`write-behind payload for "${topic}" is not JSON-serializable`);
    try {
      const id = await this.redis.xadd(stream, '*', PAYLOAD_FIELD, body);
      if (!id) throw new Error('XADD returned no id');
      return id;
    } catch (cause) {
      throw new WriteBehindUnavailableError(topic, { cause });
    }
  }
}
