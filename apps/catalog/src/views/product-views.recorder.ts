import { Inject, Injectable, ServiceUnavailableException } from '@nestjs/common';
import { Cluster } from 'ioredis';
import {
  type BatchOutcome,
  CACHING_OPTIONS,
  CacheEngine,
  type CachingModuleOptions,
  dailyVisitorsKey,
  REDIS_CLIENT,
  type RedisClient,
  TickBatcher,
  utcDay,
  WriteBehindQueue,
} from '@app/caching';
import { trendingKey, viewCountsKey, VIEWS_TOPIC } from '../products/product-cache.keys.js';
import { RECORD_VIEWS_LUA } from './product-views.script.js';

/** One trending day is read today and tomorrow (yesterday's ranking), then expires. */
const TRENDING_RETENTION_MS = 2 * 86_400_000;
/** The dashboard reports up to 31 days of unique visitors. */
const VISITORS_RETENTION_MS = 32 * 86_400_000;
/**
 * How often this process re-sends those retentions. Either key keeps its expiry between views,
 * so every view need not pay two more calls in the script; a new day's keys get theirs on their
 * first view, and a key deleted by hand gets its expiry back within this time.
 */
const EXPIRY_REFRESH_MS = 60_000;
const DAY_MS = 86_400_000;
/** Views per script call at most: three arguments and two replies each, and one `unpack` of the visitors. */
const MAX_VIEWS_PER_SCRIPT = 1_000;

export interface ViewPayload {
  productId: number;
}

export interface RecordedView {
  /** The write-behind entry that will add the view to Postgres. */
  entryId: string;
  /** Views counted in Redis for this product (flushed or not). */
  liveViews: number;
}

/** A view waiting for its batch's script. */
interface PendingView {
  productId: number;
  visitorId: string;
  stream: string;
  fields: [field: string, payload: string];
  nowMs: number;
}

/** The script command, as ioredis defines it: key count, keys, then arguments. */
type RecordViewsCommand = (numberOfKeys: number, ...keysAndArgs: (string | number)[]) => Promise<(number | string)[]>;

/**
 * Records product views in Redis: the write-behind stream entry that will add each view to
 * Postgres (`XADD`), the live counter (`HINCRBY`), the day's trending sorted set (`ZINCRBY`) and
 * unique-visitor HyperLogLog (`PFADD`). The views that concurrent requests record during one turn
 * of the event loop go as ONE Lua script call ([product-views.script.ts](./product-views.script.ts),
 * through a {@link TickBatcher}): one command to build, send, parse and time for the whole batch,
 * where a script per view (or a MULTI of six commands per view) cost the client and Redis that
 * much per request.
 *
 * A batch takes the UTC day of its first view: a batch straddling midnight (a few milliseconds)
 * counts to the day it started.
 *
 * Redis Cluster: a script must stay in one slot. The counter, the trending set and the stream
 * all carry the `{views}` hash tag. The visitor HyperLogLog is shared with the dashboard under
 * `{visitors}` (so it can PFMERGE days), another slot: on a cluster it gets one PFADD per batch,
 * sent in parallel, so the latency is still one round trip, but it is no longer atomic with the
 * rest (a lost PFADD undercounts an estimate; the views themselves are not lost).
 */
@Injectable()
export class ProductViewsRecorder {
  private readonly clustered: boolean;
  private readonly batches = new TickBatcher<PendingView, RecordedView>((views) => this.recordBatch(views), MAX_VIEWS_PER_SCRIPT);
  private day: { startMs: number; endMs: number; keys: string[]; visitors: string } | undefined;
  private expiryRefreshDueMs = 0;

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
    @Inject(CACHING_OPTIONS) private readonly caching: CachingModuleOptions,
    private readonly cache: CacheEngine,
    private readonly queue: WriteBehindQueue,
  ) {
    this.clustered = redis instanceof Cluster;
    // EVALSHA, falling back to EVAL once per connection; the key count is the first argument.
    if (!('catalogRecordViews' in redis)) redis.defineCommand('catalogRecordViews', { lua: RECORD_VIEWS_LUA });
  }

  /** Throws 503 when Redis did not take the view (the client retries). */
  async record(productId: number, visitorId: string, nowMs = Date.now()): Promise<RecordedView> {
    const { stream, fields } = this.queue.entryFor(VIEWS_TOPIC, { productId } satisfies ViewPayload);
    try {
      return await this.batches.submit({ productId, visitorId, stream, fields, nowMs });
    } catch (cause) {
      throw new ServiceUnavailableException('views cannot be recorded right now (Redis unavailable), retry later', { cause });
    }
  }

  private async recordBatch(views: PendingView[]): Promise<BatchOutcome<RecordedView>[]> {
    const [{ stream, fields: [field], nowMs }] = views;
    const { keys, visitors } = this.keysAt(nowMs, stream);
    const refreshExpiry = nowMs >= this.expiryRefreshDueMs;
    if (refreshExpiry) this.expiryRefreshDueMs = nowMs + EXPIRY_REFRESH_MS;
    const args: (string | number)[] = [refreshExpiry ? TRENDING_RETENTION_MS : 0, refreshExpiry ? VISITORS_RETENTION_MS : 0, field];
    for (const view of views) args.push(view.productId, view.visitorId, view.fields[1]);
    try {
      const visitorsApart = this.clustered ? this.addVisitorsApart(visitors, views, refreshExpiry) : undefined;
      const replies = await (this.redis as unknown as { catalogRecordViews: RecordViewsCommand }).catalogRecordViews(keys.length, ...keys, ...args);
      await visitorsApart;
      await this.queue.replicated(stream);
      return views.map((_, index): BatchOutcome<RecordedView> => {
        const entryId = replies[2 * index + 1];
        return typeof entryId === 'string' ? [null, { entryId, liveViews: Number(replies[2 * index]) }] : [new Error('the script returned no entry id for this view')];
      });
    } catch (error) {
      if (refreshExpiry) this.expiryRefreshDueMs = 0; // the expiries may not have been set: the next batch sends them
      throw error;
    }
  }

  /**
   * Redis Cluster: the visitor HyperLogLog is in another slot than the script's keys, so the
   * batch's visitors go in one PFADD alongside, in parallel. Best effort: a lost PFADD undercounts
   * an estimate, and must not turn recorded views into 503s (and retries).
   */
  private addVisitorsApart(visitors: string, views: PendingView[], refreshExpiry: boolean): Promise<unknown> {
    const visitorIds = views.map((view) => view.visitorId);
    const sent = refreshExpiry
      ? this.redis.multi().pfadd(visitors, ...visitorIds).pexpire(visitors, VISITORS_RETENTION_MS).exec()
      : this.redis.pfadd(visitors, ...visitorIds);
    return sent.catch(() => null);
  }

  /** The script's keys for the UTC day holding `nowMs`, built once a day rather than on every view. */
  private keysAt(nowMs: number, stream: string): { keys: string[]; visitors: string } {
    if (!this.day || nowMs >= this.day.endMs || nowMs < this.day.startMs) {
      const startMs = nowMs - (nowMs % DAY_MS); // epoch milliseconds count no leap seconds: UTC midnight
      const day = utcDay(new Date(startMs));
      const visitors = dailyVisitorsKey(this.caching.keyPrefix, day);
      const keys = [stream, viewCountsKey(this.cache.keys), trendingKey(this.cache.keys, day)];
      if (!this.clustered) keys.push(visitors);
      this.day = { startMs, endMs: startMs + DAY_MS, keys, visitors };
      this.expiryRefreshDueMs = 0; // a new day's keys get their expiries on their first view
    }
    return this.day;
  }
}
