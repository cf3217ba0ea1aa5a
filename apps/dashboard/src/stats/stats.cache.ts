import { Inject, Injectable, Logger } from '@nestjs/common';
import { CacheEngine, type CacheRead, type GetOrSetOptions } from '@app/caching';
import { DASHBOARD_CONFIG, type DashboardConfig } from '../dashboard.config.js';
import { StatsMetrics, type RecomputeTrigger } from './stats.metrics.js';
import { snapshotTimeMs, type Stats, StatsQuery } from './stats.query.js';

/**
 * `/stats` cached with refresh-ahead, so that after warm-up no request waits on the aggregate.
 *
 * Three layers, each for a case the one before cannot cover:
 * 1. A schedule ({@link StatsRefreshScheduler}) recomputes at 80 % of the TTL and writes the
 *    result through (`engine.set`). It is deterministic and works without traffic, which
 *    XFetch is not and does not (XFetch needs a reader near expiry, and only probably
 *    refreshes in time); for one hot key of known cost, a schedule is the better tool. One
 *    instance per period wins a Redis claim, so a fleet of dashboards computes once.
 * 2. Grace (stale-while-revalidate): if the scheduled refresh did not land (its instance died,
 *    Postgres is slow or down), readers get the previous value as `STALE` for up to
 *    `statsGraceMs` while the engine refreshes it in the background under its try-lock.
 * 3. The engine's cross-process lock for the cold start (or an evicted key): one instance
 *    computes, the others wait for its value instead of running the aggregate themselves.
 *
 * Change events ({@link StatsInvalidation}) mark the value stale in this instance and trigger
 * one debounced recompute; until it lands, this instance answers `X-Cache: STALE`.
 */
@Injectable()
export class StatsCache {
  private readonly logger = new Logger(StatsCache.name);
  readonly key: string;
  private readonly options: GetOrSetOptions;
  /** When the latest change event arrived: values computed from an older database state are stale. */
  private lastEventAtMs = 0;

  constructor(
    private readonly engine: CacheEngine,
    private readonly query: StatsQuery,
    private readonly metrics: StatsMetrics,
    @Inject(DASHBOARD_CONFIG) private readonly config: DashboardConfig,
  ) {
    this.key = engine.keys.key('stats');
    this.options = { ttlMs: config.statsTtlMs, graceMs: config.statsGraceMs, lock: true };
  }

  /** The stats and how they were served (for `X-Cache`). */
  async read(): Promise<CacheRead<Stats>> {
    const read = await this.engine.fetch(this.key, () => this.compute('read'), this.options);
    if (read.outcome === 'hit' && read.value && this.isBehindEvents(read.value)) return { value: read.value, outcome: 'stale' };
    return read;
  }

  /** The cached stats without computing; `undefined` when there are none (or Redis cannot say). */
  peek(): Promise<Stats | null | undefined> {
    return this.engine.get<Stats>(this.key);
  }

  /** A change the cached value may not include happened: serve it as stale until {@link refresh} lands. */
  markStale(): void {
    this.lastEventAtMs = Date.now();
  }

  /** Recomputes now and stores the result as the new truth, ahead of any reader. */
  async refresh(trigger: Exclude<RecomputeTrigger, 'read'>): Promise<void> {
    const stats = await this.compute(trigger);
    const stored = await this.engine.set(this.key, stats, { ttlMs: this.config.statsTtlMs, graceMs: this.config.statsGraceMs });
    if (!stored) this.logger.warn(`recomputed /stats (${trigger}) but could not store it: Redis unavailable`);
  }

  private async compute(trigger: RecomputeTrigger): Promise<Stats> {
    const stopTimer = this.metrics.computeDuration.startTimer();
    try {
      const stats = await this.query.compute();
      this.metrics.recomputes.inc({ trigger, outcome: 'ok' });
      return stats;
    } catch (error) {
      this.metrics.recomputes.inc({ trigger, outcome: 'failed' });
      throw error;
    } finally {
      stopTimer();
    }
  }

  /** True when `stats` was computed from the database as it was before the latest change event arrived. */
  private isBehindEvents(stats: Stats): boolean {
    return snapshotTimeMs(stats) < this.lastEventAtMs;
  }
}
