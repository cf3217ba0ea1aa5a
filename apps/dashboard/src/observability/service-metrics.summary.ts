import type { CacheFigures, NamespaceFigures, ServiceReport } from './cache-report.types.js';
import { type CumulativeBuckets, histogramQuantile, mergeBuckets } from './histogram.quantile.js';
import type { PromSample } from './prometheus-text.parser.js';

type Figures = Omit<ServiceReport, 'service' | 'url' | 'up' | 'error'>;

const sum = (samples: PromSample[]) => samples.reduce((total, sample) => total + sample.value, 0);
const roundMs = (seconds: number | null) => (seconds === null ? null : Math.round(seconds * 1_000_000) / 1_000);

function bucketsOf(samples: PromSample[], name: string): CumulativeBuckets {
  return mergeBuckets(
    samples.filter((s) => s.name === `${name}_bucket`).map((s) => ({ le: s.labels.le === '+Inf' ? Infinity : Number(s.labels.le), count: s.value })),
  );
}

function percentilesMs(buckets: CumulativeBuckets) {
  return {
    p50: roundMs(histogramQuantile(0.5, buckets)),
    p95: roundMs(histogramQuantile(0.95, buckets)),
    p99: roundMs(histogramQuantile(0.99, buckets)),
  };
}

/** The cache figures of the samples given (already narrowed to one namespace, or a whole service). */
function figuresOf(samples: PromSample[]): CacheFigures {
  const reads = samples.filter((s) => s.name === 'cache_reads_total');
  const outcome = (name: string) => sum(reads.filter((s) => s.labels.outcome === name));
  const counts = { hit: outcome('hit'), miss: outcome('miss'), stale: outcome('stale'), bypass: outcome('bypass'), total: sum(reads) };
  const counter = (name: string) => sum(samples.filter((s) => s.name === name));
  return {
    reads: counts,
    hitRatio: counts.total === 0 ? null : (counts.hit + counts.stale) / counts.total,
    fills: counter('cache_fills_total'),
    staleServes: counts.stale,
    coalescedWaits: counter('cache_coalesced_waits_total'),
    lockWaits: counter('cache_lock_waits_total'),
    errors: counter('cache_errors_total'),
    readLatencyMs: percentilesMs(bucketsOf(samples, 'cache_read_duration_seconds')),
    fillLatencyMs: percentilesMs(bucketsOf(samples, 'cache_fill_duration_seconds')),
  };
}

/**
 * Turns one service's `/metrics` samples into the figures `/cache` reports: hit ratio,
 * fills, stale serves and latency percentiles per namespace and in total, database queries,
 * write-behind lag and pending, and stream consumer groups.
 */
export function summarizeServiceMetrics(samples: PromSample[]): Figures {
  const cacheSamples = samples.filter((s) => s.name.startsWith('cache_') && s.labels.namespace !== undefined);
  const namespaces = [...new Set(cacheSamples.map((s) => s.labels.namespace))].sort();
  return {
    ...figuresOf(cacheSamples),
    namespaces: namespaces.map((namespace): NamespaceFigures => ({
      namespace,
      ...figuresOf(cacheSamples.filter((s) => s.labels.namespace === namespace)),
    })),
    readLatencyBuckets: bucketsOf(cacheSamples, 'cache_read_duration_seconds'),
    dbQueries: sum(samples.filter((s) => s.name === 'db_queries_total')),
    writeBehind: [...new Set(samples.filter((s) => s.name.startsWith('write_behind_')).map((s) => s.labels.topic))]
      .filter((topic) => topic !== undefined)
      .map((topic) => ({
        topic,
        pending: sum(samples.filter((s) => s.name === 'write_behind_pending_entries' && s.labels.topic === topic)),
        lagSeconds: sum(samples.filter((s) => s.name === 'write_behind_lag_seconds' && s.labels.topic === topic)),
      })),
    consumers: samples
      .filter((s) => s.name === 'cache_event_consumer_pending')
      .map((s) => {
        const lag = samples.find((l) => l.name === 'cache_event_consumer_lag' && l.labels.stream === s.labels.stream && l.labels.group === s.labels.group);
        return { stream: s.labels.stream, group: s.labels.group, pending: s.value, lag: lag ? lag.value : null };
      }),
  };
}

/** Figures for a service whose `/metrics` could not be read. */
export function emptyFigures(): Figures {
  return summarizeServiceMetrics([]);
}
