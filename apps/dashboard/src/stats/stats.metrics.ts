import { Injectable } from '@nestjs/common';
import { Counter, Histogram } from 'prom-client';
import { CacheMetrics } from '@app/caching';

/** Why `/stats` was recomputed, as a metrics label. */
export type RecomputeTrigger = 'read' | 'schedule' | 'event';

/** The dashboard's own instruments, on the service registry (`/metrics`). */
@Injectable()
export class StatsMetrics {
  readonly recomputes: Counter<'trigger' | 'outcome'>;
  readonly computeDuration: Histogram;

  constructor(metrics: CacheMetrics) {
    this.recomputes = new Counter({
      name: 'dashboard_stats_recomputes_total',
      help: 'Runs of the /stats aggregate, by trigger (read: a cache fill, schedule: refresh-ahead, event: a change event) and outcome',
      labelNames: ['trigger', 'outcome'] as const,
      registers: [metrics.registry],
    });
    this.computeDuration = new Histogram({
      name: 'dashboard_stats_compute_seconds',
      help: 'Time the /stats aggregate took in Postgres',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [metrics.registry],
    });
  }
}
