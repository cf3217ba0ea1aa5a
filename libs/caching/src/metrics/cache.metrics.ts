import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { ReadTally } from './read.tally.js';

/** What a cache read ended as. `bypass`: the cache was skipped (too big, Redis down, not cacheable). */
export type CacheOutcome = 'hit' | 'miss' | 'stale' | 'bypass';

/**
 * The Prometheus registry of one service, and the cache's own instruments on it.
 * One registry per Nest app (not prom-client's global one), so two apps in one
 * process (tests) do not collide.
 */
@Injectable()
export class CacheMetrics {
  readonly registry = new Registry();

  /** `cache_reads_total` and `cache_read_duration_seconds`: updated on every read, so without prom-client's per-call cost. */
  readonly reads = new ReadTally(this.registry);

  readonly fills = new Counter({
    name: 'cache_fills_total',
    help: 'Factory (loader) runs that produced a value',
    labelNames: ['namespace'] as const,
    registers: [this.registry],
  });

  readonly fillDuration = new Histogram({
    name: 'cache_fill_duration_seconds',
    help: 'Time a factory (loader) took',
    labelNames: ['namespace'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  readonly coalesced = new Counter({
    name: 'cache_coalesced_waits_total',
    help: 'Callers that waited on an in-process fill of the same key instead of running the factory',
    labelNames: ['namespace'] as const,
    registers: [this.registry],
  });

  readonly lockWaits = new Counter({
    name: 'cache_lock_waits_total',
    help: 'Callers that waited on another process holding the fill lock',
    labelNames: ['namespace'] as const,
    registers: [this.registry],
  });

  readonly errors = new Counter({
    name: 'cache_errors_total',
    help: 'Cache operations that failed (Redis down, timeout, corrupt entry) and fell back to the source',
    labelNames: ['namespace', 'operation'] as const,
    registers: [this.registry],
  });

  readonly bytesWritten = new Counter({
    name: 'cache_written_bytes_total',
    help: 'Bytes of serialized values written to Redis',
    labelNames: ['namespace'] as const,
    registers: [this.registry],
  });

  readonly oversized = new Counter({
    name: 'cache_oversized_values_total',
    help: 'Values served but not stored because they exceed the maximum size',
    labelNames: ['namespace'] as const,
    registers: [this.registry],
  });

  readonly missedInvalidations = new Counter({
    name: 'cache_missed_invalidations_total',
    help: 'Invalidations that did not reach Redis (missed), then reached it on a replay (replayed), were given up for room (dropped) or were still pending at shutdown (abandoned)',
    labelNames: ['kind', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly pendingInvalidations = new Gauge({
    name: 'cache_missed_invalidations_pending',
    help: 'Missed invalidations waiting for Redis to answer again',
    registers: [this.registry],
  });

  readonly l1 = new Counter({
    name: 'cache_l1_events_total',
    help: 'In-process L1 tier: hits, fills, invalidations received, and full resets (subscriber lost or reconnected)',
    labelNames: ['event'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }
}
