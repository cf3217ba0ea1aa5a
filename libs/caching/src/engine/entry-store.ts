import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import calculateSlot from 'cluster-key-slot';
import { Cluster, type Redis } from 'ioredis';
import type { CacheMetrics } from '../metrics/cache.metrics.js';
import type { RedisClient } from '../redis/redis.client-factory.js';
import { CircuitBreaker } from '../resilience/circuit-breaker.js';
import { type CacheEntry, decodeEntry, encodeEntryBody, generationOf, TOMBSTONE_BODY } from '../serialization/cache-entry.codec.js';
import { BUMP_AND_SET, RELEASE_LOCK, SET_IF_GENERATION, TAG_ADD } from './entry-store.lua.js';
import { namespaceOf } from './namespace-of.js';

/** A Redis call that did not happen or did not answer (down, timed out, circuit open). */
export const UNAVAILABLE = Symbol('cache unavailable');
export type Maybe<T> = T | typeof UNAVAILABLE;

/**
 * An invalidation Redis answered with an error no retry can mend: foreign data at our key
 * (`WRONGTYPE`) or a bad command (`ERR`). Errors that pass (`OOM`, `READONLY`, `LOADING`,
 * `BUSY`, `TRYAGAIN`, …) stay {@link UNAVAILABLE}: worth replaying.
 */
export const REFUSED = Symbol('refused for good');
const PERMANENT_REPLY = /^(WRONGTYPE|ERR) /;

interface ScriptedClient {
  cacheSetIfGeneration(key: string, generation: number, body: string, ttlMs: number): Promise<number>;
  cacheBumpAndSet(key: string, body: string, ttlMs: number): Promise<number>;
  cacheReleaseLock(key: string, token: string): Promise<number>;
  cacheTagAdd(key: string, member: string, ttlMs: number): Promise<number>;
}

export interface EntryStoreOptions {
  /** Largest serialized entry stored (bytes); larger values are served but not cached. */
  maxValueBytes: number;
  /** How long an invalidation's tombstone keeps in-flight fills out (ms); longer than any factory. */
  tombstoneTtlMs: number;
}

/**
 * Every Redis command the engine sends, each fail-open: an error, a timeout or an open
 * circuit comes back as {@link UNAVAILABLE}, never as a thrown error.
 */
export class EntryStore {
  private readonly logger = new Logger('CacheEngine');
  private readonly breaker = new CircuitBreaker(5, 1_000);
  private lastLoggedAtMs = 0;

  constructor(
    private readonly redis: RedisClient,
    private readonly metrics: CacheMetrics,
    private readonly options: EntryStoreOptions,
  ) {
    const define = (name: string, numberOfKeys: number, lua: string) => {
      if (!(name in redis)) (redis as Redis | Cluster).defineCommand(name, { numberOfKeys, lua });
    };
    define('cacheSetIfGeneration', 1, SET_IF_GENERATION);
    define('cacheBumpAndSet', 1, BUMP_AND_SET);
    define('cacheReleaseLock', 1, RELEASE_LOCK);
    define('cacheTagAdd', 1, TAG_ADD);
  }

  private get scripts(): ScriptedClient {
    return this.redis as unknown as ScriptedClient;
  }

  get circuitState() {
    return this.breaker.state;
  }

  /** Runs one Redis call through the circuit breaker; failures become UNAVAILABLE. */
  async call<T>(operation: string, key: string, run: () => Promise<T>): Promise<Maybe<T>> {
    const result = await this.attempt(operation, key, run);
    return result === REFUSED ? UNAVAILABLE : result;
  }

  /** {@link call}, telling a failure a retry could mend (UNAVAILABLE) from one it could not (REFUSED). */
  async attempt<T>(operation: string, key: string, run: () => Promise<T>): Promise<Maybe<T> | typeof REFUSED> {
    if (!this.breaker.allow()) return UNAVAILABLE;
    try {
      const result = await run();
      this.breaker.success();
      return result;
    } catch (error) {
      this.failed(operation, key, error as Error);
      return (error as Error).name === 'ReplyError' && PERMANENT_REPLY.test((error as Error).message) ? REFUSED : UNAVAILABLE;
    }
  }

  /**
   * One GET: value, times and generation together. A corrupt entry reads as a tombstone at the
   * generation Lua sees in it: nothing to serve, and the next fill overwrites it.
   *
   * The hit path of every read, so written as one `then` on the ioredis promise rather than
   * through {@link call}: two promises per hit instead of four.
   */
  read<T>(key: string): Promise<Maybe<CacheEntry<T> | undefined>> {
    if (!this.breaker.allow()) return Promise.resolve(UNAVAILABLE);
    return this.redis.get(key).then(
      (raw) => {
        this.breaker.success();
        return this.decode<T>(key, raw);
      },
      (error: Error) => this.failed('get', key, error),
    );
  }

  /** Reads many keys; on a cluster, one MGET per hash slot (never a CROSSSLOT error). */
  async readMany<T>(keys: string[]): Promise<Maybe<(CacheEntry<T> | undefined)[]>> {
    if (keys.length === 0) return [];
    const raws = await this.call('mget', keys[0], () => mgetBySlot(this.redis, keys));
    if (raws === UNAVAILABLE) return UNAVAILABLE;
    return raws.map((raw) => decodeEntry<T>(raw));
  }

  /** Serializes an entry body, or returns undefined (and counts it) when it is too big to store. */
  encode(key: string, entry: Exclude<CacheEntry, { kind: 'tombstone' }>): string | undefined {
    const body = encodeEntryBody(entry);
    const bytes = Buffer.byteLength(body);
    if (bytes > this.options.maxValueBytes) {
      this.metrics.oversized.inc({ namespace: namespaceOf(key) });
      return undefined;
    }
    this.metrics.bytesWritten.inc({ namespace: namespaceOf(key) }, bytes);
    return body;
  }

  /** Stores a fill unless the key was invalidated or rewritten since `lease` was read. */
  async writeIfGeneration(key: string, lease: number, body: string, ttlMs: number): Promise<Maybe<boolean>> {
    const written = await this.call('set', key, () => this.scripts.cacheSetIfGeneration(key, lease, body, Math.max(1, Math.ceil(ttlMs))));
    return written === UNAVAILABLE ? UNAVAILABLE : written === 1;
  }

  /** Authoritative write (write-through): bumps the generation so no older fill can land after it. */
  async writeAuthoritative(key: string, body: string, ttlMs: number): Promise<Maybe<number>> {
    return this.call('set', key, () => this.scripts.cacheBumpAndSet(key, body, Math.max(1, Math.ceil(ttlMs))));
  }

  /** Invalidation: a short-lived tombstone with a bumped generation (fills that started before it lose). */
  async invalidate(key: string): Promise<Maybe<number> | typeof REFUSED> {
    return this.attempt('invalidate', key, () => this.scripts.cacheBumpAndSet(key, TOMBSTONE_BODY, this.options.tombstoneTtlMs));
  }

  /** `SET NX PX` with a random token; returns the token when acquired. */
  async acquireLock(key: string, ttlMs: number): Promise<Maybe<string | undefined>> {
    const token = randomBytes(16).toString('base64url');
    const result = await this.call('lock', key, () => this.redis.set(lockKeyOf(key), token, 'PX', ttlMs, 'NX'));
    if (result === UNAVAILABLE) return UNAVAILABLE;
    return result === 'OK' ? token : undefined;
  }

  async releaseLock(key: string, token: string): Promise<void> {
    await this.call('unlock', key, () => this.scripts.cacheReleaseLock(lockKeyOf(key), token));
  }

  async addToTag(tagKey: string, member: string, ttlMs: number): Promise<void> {
    await this.call('tag', tagKey, () => this.scripts.cacheTagAdd(tagKey, member, Math.max(1, Math.ceil(ttlMs))));
  }

  /** Members of a tag set, read with SSCAN so a huge tag never blocks Redis. */
  async tagMembers(tagKey: string): Promise<Maybe<string[]> | typeof REFUSED> {
    return this.attempt('tag-read', tagKey, async () => {
      const members: string[] = [];
      let cursor = '0';
      do {
        const [next, batch] = await this.redis.sscan(tagKey, cursor, 'COUNT', 500);
        cursor = next;
        members.push(...batch);
      } while (cursor !== '0');
      return members;
    });
  }

  async removeFromTag(tagKey: string, members: string[]): Promise<void> {
    if (members.length) await this.call('tag-remove', tagKey, () => this.redis.srem(tagKey, ...members));
  }

  private decode<T>(key: string, raw: string | null): CacheEntry<T> | undefined {
    const entry = decodeEntry<T>(raw);
    if (raw !== null && entry === undefined) {
      this.metrics.errors.inc({ namespace: namespaceOf(key), operation: 'decode' });
      return { kind: 'tombstone', generation: generationOf(raw) };
    }
    return entry;
  }

  /** Counts and (rate-limited) logs a failed call; a timeout that opens the circuit also drops the connection. */
  private failed(operation: string, key: string, error: Error): typeof UNAVAILABLE {
    this.metrics.errors.inc({ namespace: namespaceOf(key), operation });
    if (this.breaker.failure() && /timed out/i.test(error.message)) {
      // A black-holed connection keeps every timed-out command queued: drop it and reconnect.
      this.redis.disconnect(true);
    }
    if (Date.now() - this.lastLoggedAtMs > 10_000) {
      this.lastLoggedAtMs = Date.now();
      this.logger.warn(`cache ${operation} failed, falling back to the source: ${error.message}`);
    }
    return UNAVAILABLE;
  }
}

/** The lock of an entry: same hash slot as the entry whenever the entry is hash-tagged. */
export function lockKeyOf(key: string): string {
  return `${key}#lock`;
}

async function mgetBySlot(redis: RedisClient, keys: string[]): Promise<(string | null)[]> {
  if (!(redis instanceof Cluster)) return redis.mget(keys);
  const bySlot = new Map<number, number[]>();
  keys.forEach((key, index) => {
    const slot = calculateSlot(key);
    bySlot.set(slot, [...(bySlot.get(slot) ?? []), index]);
  });
  const results: (string | null)[] = new Array(keys.length).fill(null);
  await Promise.all(
    [...bySlot.values()].map(async (indexes) => {
      const values = await redis.mget(indexes.map((i) => keys[i]));
      indexes.forEach((i, n) => (results[i] = values[n]));
    }),
  );
  return results;
}
