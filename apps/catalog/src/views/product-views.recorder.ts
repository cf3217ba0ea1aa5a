import { Inject, Injectable, ServiceUnavailableException } from '@nestjs/common';
import { Cluster } from 'ioredis';
import {
  CACHING_OPTIONS,
  CacheEngine,
  type CachingModuleOptions,
  dailyVisitorsKey,
  REDIS_CLIENT,
  RedisBatcher,
  type RedisClient,
  utcDay,
  WriteBehindQueue,
} from '@app/caching';
import { trendingKey, viewCountsKey, VIEWS_TOPIC } from '../products/product-cache.keys.js';
import { RECORD_VIEW_LUA } from './product-views.script.js';

/** One trending day is read today and tomorrow (yesterday's ranking), then expires. */
const TRENDING_RETENTION_MS = 2 * 86_400_000;
/** The dashboard reports up to 31 days of unique visitors. */
const VISITORS_RETENTION_MS = 32 * 86_400_000;

export interface ViewPayload {
  productId: number;
}

export interface RecordedView {
  /** The write-behind entry that will add the view to Postgres. */
  entryId: string;
  /** Views counted in Redis for this product (flushed or not). */
  liveViews: number;
}

/** The script command, as ioredis defines it: key count, keys, then arguments. */
type RecordViewCommand = (numberOfKeys: number, ...keysAndArgs: (string | number)[]) => unknown;

/**
 * Records a product view with ONE command to Redis: a Lua script
 * ([product-views.script.ts](./product-views.script.ts)) appends the write-behind stream entry that
 * will add the view to Postgres (`XADD`), bumps the live counter (`HINCRBY`), today's trending
 * sorted set (`ZINCRBY`) and today's unique-visitor HyperLogLog (`PFADD`), atomically. One script
 * rather than a MULTI of six commands: the client builds and times one command, not eight. The
 * views of concurrent requests share one pipeline ({@link RedisBatcher}): one socket write for many.
 *
 * Redis Cluster: a script must stay in one slot. The counter, the trending set and the stream
 * all carry the `{views}` hash tag. The visitor HyperLogLog is shared with the dashboard under
 * `{visitors}` (so it can PFMERGE days), another slot: on a cluster it is sent alongside, in
 * parallel, so the latency is still one round trip, but it is no longer atomic with the rest
 * (a lost PFADD undercounts an estimate; the view itself is not lost).
 */
@Injectable()
export class ProductViewsRecorder {
  private readonly clustered: boolean;
  /** Views recorded while the event loop handles one batch of requests go to Redis as one pipeline. */
  private readonly batcher: RedisBatcher;
  private dayKeys: { day: string; keys: string[]; visitors: string } | undefined;

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
    @Inject(CACHING_OPTIONS) private readonly caching: CachingModuleOptions,
    private readonly cache: CacheEngine,
    private readonly queue: WriteBehindQueue,
  ) {
    this.clustered = redis instanceof Cluster;
    // EVALSHA, falling back to EVAL once per connection; the key count is the first argument.
    if (!('catalogRecordView' in redis)) redis.defineCommand('catalogRecordView', { lua: RECORD_VIEW_LUA });
    this.batcher = new RedisBatcher(redis);
  }

  /** Throws 503 when Redis did not take the view (nothing was accepted; the client retries). */
  async record(productId: number, visitorId: string, at = new Date()): Promise<RecordedView> {
    const { stream, fields } = this.queue.entryFor(VIEWS_TOPIC, { productId } satisfies ViewPayload);
    const { keys, visitors } = this.keysOf(utcDay(at), stream);
    try {
      const [[liveViews, entryId]] = await Promise.all([
        this.batcher.run<[number, string | null]>((pipeline) =>
          (pipeline as unknown as { catalogRecordView: RecordViewCommand }).catalogRecordView(
            keys.length, ...keys, productId, TRENDING_RETENTION_MS, visitorId, VISITORS_RETENTION_MS, ...fields,
          ),
        ),
        // Best effort: a lost PFADD undercounts an estimate, and must not turn a recorded view into a 503 (and a retry).
        this.clustered ? this.redis.multi().pfadd(visitors, visitorId).pexpire(visitors, VISITORS_RETENTION_MS).exec().catch(() => null) : undefined,
      ]);
      if (!entryId) throw new Error('XADD returned no id');
      await this.queue.replicated(stream);
      return { entryId, liveViews: Number(liveViews) };
    } catch (cause) {
      throw new ServiceUnavailableException('views cannot be recorded right now (Redis unavailable), retry later', { cause });
    }
  }

  /** The script's keys for one UTC day, built once a day rather than on every view. */
  private keysOf(day: string, stream: string): { keys: string[]; visitors: string } {
    if (this.dayKeys?.day !== day) {
      const visitors = dailyVisitorsKey(this.caching.keyPrefix, day);
      const keys = [stream, viewCountsKey(this.cache.keys), trendingKey(this.cache.keys, day)];
      if (!this.clustered) keys.push(visitors);
      this.dayKeys = { day, keys, visitors };
    }
    return this.dayKeys;
  }
}
