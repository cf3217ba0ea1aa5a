/** Sampling rate of reads whose TTL does not depend on their frequency. */
export const SAMPLE_EVERY = 8;

/**
 * Counts reads per key over a sliding minute, in process and bounded in memory: the
 * hot-key detector behind adaptive TTL (no Redis command, no KEYS, no OBJECT FREQ).
 *
 * Keys under adaptive TTL are counted on every read, since their TTL depends on the count.
 * Other keys are sampled, one read in {@link SAMPLE_EVERY} at random, each counting for
 * that many: enough to rank the hottest keys, and a map update on one hit in eight
 * instead of on every one.
 */
export class AccessFrequency {
  private current = new Map<string, number>();
  private previous = new Map<string, number>();
  private windowStartedAtMs: number;

  constructor(
    private readonly maxKeys = 10_000,
    private readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
    private readonly random: () => number = Math.random,
  ) {
    this.windowStartedAtMs = now();
  }

  /** One read of `key`: always counted when `exact`, else sampled. */
  record(key: string, exact: boolean): void {
    let weight = 1;
    if (!exact) {
      if (this.random() >= 1 / SAMPLE_EVERY) return;
      weight = SAMPLE_EVERY;
    }
    this.rotate();
    if (this.current.size >= this.maxKeys && !this.current.has(key)) return;
    this.current.set(key, (this.current.get(key) ?? 0) + weight);
  }

  /** Reads in the last window, estimated from the current and the previous one. */
  perWindow(key: string): number {
    this.rotate();
    const elapsed = Math.min(1, (this.now() - this.windowStartedAtMs) / this.windowMs);
    return Math.round((this.current.get(key) ?? 0) + (this.previous.get(key) ?? 0) * (1 - elapsed));
  }

  /** The `limit` most-read keys with their estimated reads per window. */
  hottest(limit: number): { key: string; reads: number }[] {
    this.rotate();
    const keys = new Set([...this.current.keys(), ...this.previous.keys()]);
    return [...keys]
      .map((key) => ({ key, reads: this.perWindow(key) }))
      .sort((a, b) => b.reads - a.reads)
      .slice(0, limit);
  }

  private rotate(): void {
    const elapsed = this.now() - this.windowStartedAtMs;
    if (elapsed < this.windowMs) return;
    this.previous = elapsed < 2 * this.windowMs ? this.current : new Map();
    this.current = new Map();
    this.windowStartedAtMs += Math.floor(elapsed / this.windowMs) * this.windowMs;
  }
}
