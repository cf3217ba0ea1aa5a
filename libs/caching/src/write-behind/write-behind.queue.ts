import calculateSlot from 'cluster-key-slot';
import { Cluster, type Redis } from 'ioredis';
import type { CachingModuleOptions } from '../caching.options.js';
import type { RedisClient } from '../redis/redis.client-factory.js';
import { WriteBehindUnavailableError } from './write-behind.errors.js';
import { writeBehindKeys } from './write-behind.keys.js';

/** The one field of a stream entry: the payload as JSON. */
export const PAYLOAD_FIELD = 'p';

/**
 * How durable an accepted entry is. Redis replicates asynchronously: an entry acknowledged by
 * a master that dies before shipping it to a replica is lost when the replica takes over.
 * `minReplicas: 1` sends `WAIT 1 <replicaTimeoutMs>` after the XADD (on the master's own
 * connection) and accepts the entry only once a replica has it too; with fewer replicas in
 * time, `enqueue` throws {@link WriteBehindUnavailableError} (the entry may still be in the
 * stream: a retry can apply twice, as with any timeout). `minReplicas: 0` (the default) is
 * one round trip less and loses the last few milliseconds of entries on a master crash.
 */
export interface WriteBehindDurability {
  minReplicas: number;
  replicaTimeoutMs: number;
}

export const NO_REPLICA_WAIT: WriteBehindDurability = { minReplicas: 0, replicaTimeoutMs: 0 };

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
  /** Stream key per topic: built (and validated) once, not on every entry. */
  private readonly streams = new Map<string, string>();

  constructor(
    private readonly redis: RedisClient,
    private readonly namespace: Pick<CachingModuleOptions, 'keyPrefix' | 'service'>,
    readonly durability: WriteBehindDurability = NO_REPLICA_WAIT,
  ) {}

  /** Appends one JSON-serializable payload; resolves with its entry id once Redis (and `minReplicas` replicas) have it. */
  async enqueue(topic: string, payload: unknown): Promise<string> {
    const { stream, fields } = this.entryFor(topic, payload);
    try {
      const id = await this.redis.xadd(stream, '*', ...fields);
      if (!id) throw new Error('XADD returned no id');
      await this.replicated(stream);
      return id;
    } catch (cause) {
      throw new WriteBehindUnavailableError(topic, { cause });
    }
  }

  /**
   * For producers that XADD in their own MULTI or Lua ({@link entryFor}): waits until
   * `minReplicas` replicas have every write made so far on the connection that serves `stream`.
   * Throws when fewer acknowledge within `replicaTimeoutMs`; a no-op with `minReplicas: 0`.
   */
  async replicated(stream: string): Promise<void> {
    const { minReplicas, replicaTimeoutMs } = this.durability;
    if (minReplicas <= 0) return;
    const acknowledged = await connectionServing(this.redis, stream).wait(minReplicas, replicaTimeoutMs);
    if (acknowledged < minReplicas) throw new Error(`only ${acknowledged} of ${minReplicas} replica(s) acknowledged within ${replicaTimeoutMs} ms`);
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
    let stream = this.streams.get(topic);
    if (stream === undefined) {
      stream = writeBehindKeys(this.namespace, topic).stream;
      this.streams.set(topic, stream);
    }
    const body = JSON.stringify(payload);
    if (body === undefined) throw new TypeError(`write-behind payload for "${topic}" is not JSON-serializable`);
    return { stream, fields: [PAYLOAD_FIELD, body] };
  }
}

/** The connection that sends commands on `key`: WAIT must follow the write on the same connection. */
function connectionServing(redis: RedisClient, key: string): Redis {
  if (!(redis instanceof Cluster)) return redis;
  const [address] = (redis.slots[calculateSlot(key)] ?? []) as string[];
  const node = redis.nodes('master').find((candidate) => `${candidate.options.host}:${candidate.options.port}` === address);
  if (!node) throw new Error(`no master known for the slot of ${key}`);
  return node;
}
