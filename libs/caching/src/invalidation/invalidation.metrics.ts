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
      // Sets the lag gauge too: the registry collects metrics in registration order.
      collect: () => this.collectConsumers(),
    });
    this.consumerLag = new Gauge({
      name: 'cache_event_consumer_lag',
      help: 'Entries in the stream not yet delivered to the consumer group',
      labelNames: ['stream', 'group'] as const,
      registers: [registry],
    });
  }

  /** Reports a consumer group's pending and lag at every scrape; returns a function that stops it. */
  watch(stats: StatsSource): () => void {
    this.consumers.add(stats);
    return () => this.consumers.delete(stats);
  }

  private async collectConsumers(): Promise<void> {
    const all = await Promise.all([...this.consumers].map((stats) => stats().catch(() => undefined)));
    this.consumerPending.reset();
    this.consumerLag.reset();
    for (const s of all) {
      if (!s) continue;
      this.consumerPending.set({ stream: s.stream, group: s.group }, s.pending);
      if (s.lag !== null) this.consumerLag.set({ stream: s.stream, group: s.group }, s.lag);
    }
  }
}
