import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { CacheEngine, REDIS_CLIENT, type RedisClient } from '@app/caching';
import { DASHBOARD_CONFIG, type DashboardConfig } from '../dashboard.config.js';
import { StatsCache } from './stats.cache.js';
import { snapshotTimeMs } from './stats.query.js';

const MIN_TICK_MS = 250;
const MAX_TICK_MS = 5_000;

/**
 * Refresh-ahead of `/stats`: every tick, if the cached value is older than
 * `statsRefreshShare` (80 %) of its TTL, or missing, one instance of the fleet recomputes it.
 * Which one: whoever first sets the claim key (`SET NX PX`); the claim lasts the rest of the
 * TTL, so if the winner dies the next claim comes before the value has aged out of grace.
 * With Redis down nothing is claimed and nothing is computed (reads go to Postgres anyway).
 */
@Injectable()
export class StatsRefreshScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(StatsRefreshScheduler.name);
  private readonly claimKey: string;
  private readonly refreshAtAgeMs: number;
  private readonly claimTtlMs: number;
  private readonly tickMs: number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly stats: StatsCache,
    engine: CacheEngine,
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
    @Inject(DASHBOARD_CONFIG) config: DashboardConfig,
  ) {
    this.claimKey = engine.keys.key('stats', 'refresh-claim');
    this.refreshAtAgeMs = Math.round(config.statsTtlMs * config.statsRefreshShare);
    this.claimTtlMs = config.statsTtlMs - this.refreshAtAgeMs;
    this.tickMs = Math.min(MAX_TICK_MS, Math.max(MIN_TICK_MS, Math.round(this.claimTtlMs / 4)));
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.running = this.running.then(() => this.tick());
    }, this.tickMs);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One check; exposed for tests and for a manual "refresh now". */
  async tick(): Promise<void> {
    try {
      const current = await this.stats.peek();
      if (current && Date.now() - snapshotTimeMs(current) < this.refreshAtAgeMs) return;
      if (!(await this.claim())) return;
      await this.stats.refresh('schedule');
    } catch (error) {
      this.logger.warn(`scheduled /stats refresh failed; readers keep the cached value within grace: ${(error as Error).message}`);
    }
  }

  private async claim(): Promise<boolean> {
    try {
      return (await this.redis.set(this.claimKey, String(process.pid), 'PX', this.claimTtlMs, 'NX')) === 'OK';
    } catch {
      return false;
    }
  }
}
