/** Median, min and max of a set of measurements, with the values kept for the record. */
export interface Spread {
  median: number;
  min: number;
  max: number;
  values: number[];
}

export function spread(values: number[]): Spread {
  if (values.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN, values };
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  return { median, min: sorted[0], max: sorted.at(-1)!, values };
}

/** The pair ratios a[i] / b[i] of interleaved rounds. */
export function pairRatios(a: number[], b: number[]): Spread {
  return spread(a.map((value, index) => value / b[index]));
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/**
 * Runs the variants interleaved, round after round (A B A B …), so slow drift of a shared
 * machine (other jobs, thermal, caches) lands on both sides of every pair.
 */
export async function interleaved<V extends string, R>(
  variants: readonly V[],
  rounds: number,
  run: (variant: V, round: number) => Promise<R>,
): Promise<Record<V, R[]>> {
  const results = Object.fromEntries(variants.map((variant) => [variant, [] as R[]])) as unknown as Record<V, R[]>;
  for (let round = 0; round < rounds; round++) {
    for (const variant of variants) results[variant].push(await run(variant, round));
  }
  return results;
}

/** A number for a table: 3 significant digits, thousands kept whole. */
export function fmt(value: number, digits = 3): string {
  if (!Number.isFinite(value)) return 'n/a';
  if (Math.abs(value) >= 1_000) return Math.round(value).toLocaleString('en-US');
  return Number(value.toPrecision(digits)).toString();
}

/** `median (min–max)` of a ratio or measurement. */
export function fmtSpread(s: Spread, suffix = ''): string {
  return `${fmt(s.median)}${suffix} (${fmt(s.min)}–${fmt(s.max)})`;
}
