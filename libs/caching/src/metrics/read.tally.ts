import { Counter, type Metric, type Registry } from 'prom-client';
import type { CacheOutcome } from './cache.metrics.js';

const OUTCOMES: readonly CacheOutcome[] = ['hit', 'miss', 'stale', 'bypass'];
const OUTCOME_INDEX: Record<CacheOutcome, number> = { hit: 0, miss: 1, stale: 2, bypass: 3 };

/** Upper bounds (seconds) of the read-latency buckets: a hit is a Redis round trip, a miss a query. */
export const READ_DURATION_BUCKETS_S = [0.0002, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

/** The reads of one namespace with one outcome: how many, how long in all, and how many per latency bucket. */
interface ReadSeries {
  count: number;
  sumSeconds: number;
  /** Reads per bucket, not cumulative; the last one is `+Inf`. */
  buckets: number[];
}

/**
 * `cache_reads_total` and `cache_read_duration_seconds`, kept as plain numbers on the read path.
 *
 * Every cache read lands here, so it is the hottest code after the Redis call itself. prom-client
 * hashes the label object on every `inc` and `observe` (about 360 ns for the pair, 5 % of a whole
 * Redis GET); here a series is found by a map lookup and updated by additions, and prom-client
 * reads the numbers only when `/metrics` is scraped: the counter through its `collect` hook, the
 * histogram as a collector of its own that yields prom-client's histogram format.
 */
export class ReadTally {
  private readonly series = new Map<string, ReadSeries[]>();

  constructor(registry: Registry) {
    const entries = () => this.entries();
    new Counter({
      name: 'cache_reads_total',
      help: 'Cache reads by namespace and outcome (hit, miss, stale, bypass)',
      labelNames: ['namespace', 'outcome'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const [namespace, outcome, series] of entries()) this.inc({ namespace, outcome }, series.count);
      },
    });
    const name = 'cache_read_duration_seconds';
    const help = 'Time a cache read took, Redis round trip included';
    const histogram = {
      name,
      help,
      type: 'histogram',
      aggregator: 'sum',
      get: async () => ({ name, help, type: 'histogram', aggregator: 'sum', values: this.histogramValues(name) }),
      reset: () => this.series.clear(),
    };
    // Not one of prom-client's classes, but what its registry asks of a metric: name, get() and reset().
    registry.registerMetric(histogram as unknown as Metric);
  }

  record(namespace: string, outcome: CacheOutcome, seconds: number): void {
    let byOutcome = this.series.get(namespace);
    if (!byOutcome) {
      byOutcome = OUTCOMES.map(() => ({ count: 0, sumSeconds: 0, buckets: new Array<number>(READ_DURATION_BUCKETS_S.length + 1).fill(0) }));
      this.series.set(namespace, byOutcome);
    }
    const series = byOutcome[OUTCOME_INDEX[outcome]];
    series.count++;
    series.sumSeconds += seconds;
    let bucket = 0;
    while (bucket < READ_DURATION_BUCKETS_S.length && seconds > READ_DURATION_BUCKETS_S[bucket]) bucket++;
    series.buckets[bucket]++;
  }

  private *entries(): Generator<[string, CacheOutcome, ReadSeries]> {
    for (const [namespace, byOutcome] of this.series) {
      for (const [index, series] of byOutcome.entries()) if (series.count > 0) yield [namespace, OUTCOMES[index], series];
    }
  }

  private histogramValues(name: string) {
    const values: { metricName: string; labels: Record<string, string | number>; value: number }[] = [];
    for (const [namespace, outcome, series] of this.entries()) {
      let cumulative = 0;
      series.buckets.forEach((reads, index) => {
        cumulative += reads;
        const le = index < READ_DURATION_BUCKETS_S.length ? READ_DURATION_BUCKETS_S[index] : '+Inf';
        values.push({ metricName: `${name}_bucket`, labels: { le, namespace, outcome }, value: cumulative });
      });
      values.push({ metricName: `${name}_sum`, labels: { namespace, outcome }, value: series.sumSeconds });
      values.push({ metricName: `${name}_count`, labels: { namespace, outcome }, value: series.count });
    }
    return values;
  }
}
