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
    const { stream, fields } = this.entryFor(topic, payload);
    try {
      const id = await this.redis.xadd(stream, '*', ...fields);
      if (!id) throw new Error('XADD returned no id');
      return id;
    } catch (cause) {
      throw new WriteBehindUnavailableError(topic, { cause });
    }
  }

  /**
   * The stream key and fields of an entry, for producers that append it in the same round
   * trip as their own commands: `XADD <stream> * ...fields` in a MULTI, or inside a Lua
   * script. On a Redis Cluster their other keys must carry the `{<topic>}` hash tag too.
   *
   * @example
   * const { stream, fields } = queue.entryFor('views', { productId: 42 });
   * await redis.multi().zincrby(trendingKey, 1, '42').xadd(stream, '*', ...fields).exec();
   */
  entryFor(topic: string, payload: unknown): { stream: string; fields: [string, string] } {
    const { stream } = writeBehindKeys(this.namespace, topic);
    const body = JSON.stringify(payload);
    if (body === undefined) throw new TypeError(`write-behind payload for "${topic}" is not JSON-serializable`);
    return { stream, fields: [PAYLOAD_FIELD, body] };
  }
}
