import { Inject, Injectable, ServiceUnavailableException } from '@nestjs/common';
import {
  CACHING_OPTIONS,
  type CachingModuleOptions,
  dailyVisitorsKey,
  mergedVisitorsKey,
  REDIS_CLIENT,
  type RedisClient,
  utcDaysEndingOn,
} from '@app/caching';

/** HyperLogLog's standard error with Redis's 16384 registers: 1.04 / sqrt(16384). */
export const HLL_STANDARD_ERROR = 0.0081;
/** The merged key is a by-product; it only has to outlive the PFCOUNT right after the merge. */
const MERGED_KEY_TTL_MS = 60_000;

export interface UniqueVisitors {
  /** Unique visitors per UTC day, oldest first. */
  days: { day: string; visitors: number }[];
  /** Unique over the whole window (a visitor on several days counts once): PFMERGE of the days. */
  window: { from: string; to: string; visitors: number };
  relativeStandardError: number;
}

/**
 * Unique visitors from the daily HyperLogLogs catalog fills (`PFADD` per product view):
 * 12 KB per day whatever the traffic, 0.81 % standard error. The days and the merge
 * destination share a hash tag, so the one MULTI below is legal on a Redis Cluster.
 */
@Injectable()
export class VisitorsService {
  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
    @Inject(CACHING_OPTIONS) private readonly options: CachingModuleOptions,
  ) {}

  async count(dayCount: number, today = new Date()): Promise<UniqueVisitors> {
    const days = utcDaysEndingOn(today, dayCount);
    const dayKeys = days.map((day) => dailyVisitorsKey(this.options.keyPrefix, day));
    const mergedKey = mergedVisitorsKey(this.options.keyPrefix, this.options.service, days[0], days.at(-1)!);
    const transaction = this.redis.multi();
    for (const key of dayKeys) transaction.pfcount(key);
    transaction.pfmerge(mergedKey, ...dayKeys).pexpire(mergedKey, MERGED_KEY_TTL_MS).pfcount(mergedKey);
    let replies: [Error | null, unknown][] | null;
    try {
      replies = await transaction.exec();
    } catch (error) {
      throw new ServiceUnavailableException(`unique visitors live in Redis, which is unavailable: ${(error as Error).message}`);
    }
    const failed = replies?.find(([error]) => error);
    if (!replies || failed) throw new ServiceUnavailableException(`counting unique visitors failed: ${failed?.[0]?.message ?? 'transaction aborted'}`);
    const counts = replies.map(([, count]) => Number(count));
    return {
      days: days.map((day, index) => ({ day, visitors: counts[index] })),
      window: { from: days[0], to: days.at(-1)!, visitors: counts.at(-1)! },
      relativeStandardError: HLL_STANDARD_ERROR,
    };
  }
}
