import { Inject, Injectable, ServiceUnavailableException } from '@nestjs/common';
import { Cluster } from 'ioredis';
import {
  CACHING_OPTIONS,
  CacheEngine,
  type CachingModuleOptions,
  dailyVisitorsKey,
  REDIS_CLIENT,
  type RedisClient,
  utcDay,
  WriteBehindQueue,
} from '@app/caching';
import { trendingKey, viewCountsKey, VIEWS_TOPIC } from '../products/product-cache.keys.js';

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

/**
 * Records a product view in ONE round trip to Redis: the live counter (`HINCRBY`), today's
 * trending sorted set (`ZINCRBY`), today's unique-visitor HyperLogLog (`PFADD`) and the
 * write-behind stream entry that will add it to Postgres (`XADD`), in one MULTI.
 *
 * Redis Cluster: a MULTI must stay in one slot. The counter, the trending set and the stream
 * all carry the `{views}` hash tag, so they stay one atomic MULTI. The visitor HyperLogLog is
 * shared with the dashboard under `{visitors}` (so it can PFMERGE days), another slot: on a
 * cluster it is sent alongside, in parallel, so the latency is still one round trip, but it is
 * no longer atomic with the rest (a lost PFADD undercounts an estimate; the view itself is not
 * lost).
 */
@Injectable()
export class ProductViewsRecorder {
  private readonly clustered: boolean;

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
    @Inject(CACHING_OPTIONS) private readonly caching: CachingModuleOptions,
    private readonly cache: CacheEngine,
    private readonly queue: WriteBehindQueue,
  ) {
    this.clustered = redis instanceof Cluster;
  }

  /** Throws 503 when Redis did not take the view (nothing was accepted; the client retries). */
  async record(productId: number, visitorId: string, at = new Date()): Promise<RecordedView> {
    const day = utcDay(at);
    const member = String(productId);
    const { stream, fields } = this.queue.entryFor(VIEWS_TOPIC, { productId } satisfies ViewPayload);
    const trending = trendingKey(this.cache.keys, day);
    const visitors = dailyVisitorsKey(this.caching.keyPrefix, day);
    const views = this.redis
      .multi()
      .hincrby(viewCountsKey(this.cache.keys), member, 1)
      .zincrby(trending, 1, member)
      .pexpire(trending, TRENDING_RETENTION_MS)
      .xadd(stream, '*', ...fields);
    const visitor = this.clustered ? this.redis.multi() : views;
    visitor.pfadd(visitors, visitorId).pexpire(visitors, VISITORS_RETENTION_MS);
    try {
      const [replies] = await Promise.all([views.exec(), this.clustered ? visitor.exec() : undefined]);
      const failed = replies?.find(([error]) => error);
      if (!replies || failed) throw failed?.[0] ?? new Error('the view transaction was aborted');
      const entryId = replies[3][1] as string | null;
      if (!entryId) throw new Error('XADD returned no id');
      await this.queue.replicated(stream);
      return { entryId, liveViews: Number(replies[0][1]) };
    } catch (cause) {
      throw new ServiceUnavailableException('views cannot be recorded right now (Redis unavailable), retry later', { cause });
    }
  }
}
