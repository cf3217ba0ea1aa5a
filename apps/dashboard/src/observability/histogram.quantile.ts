/** A cumulative histogram: `[upper bound in seconds, observations <= it]`, ascending, `+Inf` last (`null` once in JSON). */
export type CumulativeBuckets = [le: number, count: number][];

/**
 * The q-quantile (0..1) of a cumulative histogram, interpolated linearly inside the bucket it
 * falls in, as PromQL's `histogram_quantile` does; `null` with no observations. A quantile in
 * the `+Inf` bucket is reported as the largest finite bound.
 */
export function histogramQuantile(q: number, buckets: CumulativeBuckets): number | null {
  const total = buckets.at(-1)?.[1] ?? 0;
  if (total === 0) return null;
  const rank = q * total;
  let previousLe = 0;
  let previousCount = 0;
  for (const [le, count] of buckets) {
    if (count >= rank) {
      if (le === Infinity) return previousLe;
      const inBucket = count - previousCount;
      return inBucket === 0 ? le : previousLe + (le - previousLe) * ((rank - previousCount) / inBucket);
    }
    previousLe = le;
    previousCount = count;
  }
  return previousLe;
}

/** Adds up histograms with the same bounds (one per label set) into one. */
export function mergeBuckets(series: { le: number; count: number }[]): CumulativeBuckets {
  const byLe = new Map<number, number>();
  for (const { le, count } of series) byLe.set(le, (byLe.get(le) ?? 0) + count);
  return [...byLe].sort(([a], [b]) => a - b);
}
