/**
 * Counts reads per key over a sliding minute, in process and bounded in memory: the
 * hot-key detector behind adaptive TTL (no Redis command, no KEYS, no OBJECT FREQ).
 */
export class AccessFrequency {
  private current = new Map<string, number>();
  private previous = new Map<string, number>();
  private windowStartedAtMs: number;

  constructor(
    private readonly maxKeys = 10_000,
    private readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {
    this.windowStartedAtMs = now();
  }

  record(key: string): void {
    this.rotate();
    if (this.current.size >= this.maxKeys && !this.current.has(key)) return;
    this.current.set(key, (this.current.get(key) ?? 0) + 1);
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
