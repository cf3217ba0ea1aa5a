import { Counter, Gauge, type Registry } from 'prom-client';
import type { CacheEventConsumerStats } from './cache-event-consumer.options.js';

/** How an invalidation event or change ended, as a metrics label. */
export type InvalidationOutcome = 'handled' | 'failed_attempt' | 'dead_lettered' | 'skipped';

type StatsSource = () => Promise<CacheEventConsumerStats>;

/** Stream and CDC invalidation instruments, on a service's registry (`CacheMetrics.registry`). */
export class InvalidationMetrics {
  readonly events: Counter<'source' | 'channel' | 'outcome'>;
  readonly consumerPending: Gauge<'stream' | 'group'>;
  readonly consumerLag: Gauge<'stream' | 'group'>;
  private readonly consumers = new Set<StatsSource>();
  /** One XINFO round per scrape, shared by both gauges (the registry collects them concurrently). */
  private inFlight: Promise<CacheEventConsumerStats[]> | undefined;

  constructor(registry: Registry) {
    this.events = new Counter({
      name: 'cache_invalidation_events_total',
      help: 'Invalidation events (Redis Streams) and changes (Postgres CDC) by source, channel and outcome',
      labelNames: ['source', 'channel', 'outcome'] as const,
      registers: [registry],
    });
    this.consumerPending = new Gauge({
      name: 'cache_event_consumer_pending',
      help: 'Entries delivered to a consumer group and not yet acknowledged',
      labelNames: ['stream', 'group'] as const,
      registers: [registry],
      collect: async () => {
        this.consumerPending.reset();
        for (const s of await this.consumerStats()) this.consumerPending.set({ stream: s.stream, group: s.group }, s.pending);
      },
    });
    this.consumerLag = new Gauge({
      name: 'cache_event_consumer_lag',
      help: 'Entries in the stream not yet delivered to the consumer group',
      labelNames: ['stream', 'group'] as const,
      registers: [registry],
      collect: async () => {
        this.consumerLag.reset();
        for (const s of await this.consumerStats()) if (s.lag !== null) this.consumerLag.set({ stream: s.stream, group: s.group }, s.lag);
      },
    });
  }

  /** Reports a consumer group's pending and lag at every scrape; returns a function that stops it. */
  watch(stats: StatsSource): () => void {
    this.consumers.add(stats);
    return () => this.consumers.delete(stats);
  }

  private consumerStats(): Promise<CacheEventConsumerStats[]> {
    this.inFlight ??= Promise.all([...this.consumers].map((stats) => stats().catch(() => undefined)))
      .then((all) => all.filter((s) => s !== undefined))
      .finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }
}
