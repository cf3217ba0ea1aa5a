import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The write-behind instruments, labelled by topic; one set per registry however many consumers share it. */
export class WriteBehindMetrics {
  private static readonly byRegistry = new WeakMap<Registry, WriteBehindMetrics>();

  static of(registry: Registry): WriteBehindMetrics {
    let metrics = WriteBehindMetrics.byRegistry.get(registry);
    if (!metrics) WriteBehindMetrics.byRegistry.set(registry, (metrics = new WriteBehindMetrics(registry)));
    return metrics;
  }

  readonly flushed: Counter<'topic'>;
  readonly duplicates: Counter<'topic'>;
  readonly batches: Counter<'topic' | 'outcome'>;
  readonly flushDuration: Histogram<'topic'>;
  readonly deadLettered: Counter<'topic' | 'reason'>;
  readonly pending: Gauge<'topic'>;
  readonly lag: Gauge<'topic'>;

  private constructor(registry: Registry) {
    const registers = [registry];
    this.flushed = new Counter({ name: 'write_behind_entries_flushed_total', help: 'Entries applied to the database', labelNames: ['topic'], registers });
    this.duplicates = new Counter({
      name: 'write_behind_duplicates_skipped_total',
      help: 'Redelivered entries skipped because an earlier delivery was already applied',
      labelNames: ['topic'],
      registers,
    });
    this.batches = new Counter({
      name: 'write_behind_batches_total',
      help: 'Flush transactions by outcome (committed, failed)',
      labelNames: ['topic', 'outcome'],
      registers,
    });
    this.flushDuration = new Histogram({
      name: 'write_behind_flush_duration_seconds',
      help: 'Time of one flush transaction, commit included',
      labelNames: ['topic'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.deadLettered = new Counter({
      name: 'write_behind_dead_lettered_total',
      help: 'Entries moved to the dead-letter stream, by reason (invalid, failed, max-deliveries)',
      labelNames: ['topic', 'reason'],
      registers,
    });
    this.pending = new Gauge({ name: 'write_behind_pending_entries', help: 'Delivered but unacknowledged entries', labelNames: ['topic'], registers });
    this.lag = new Gauge({ name: 'write_behind_lag_seconds', help: 'Age of the oldest entry not yet flushed', labelNames: ['topic'], registers });
  }
}
