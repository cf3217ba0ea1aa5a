/** Per-call options of {@link CacheEngine.getOrSet}. All durations are milliseconds. */
export interface GetOrSetOptions {
  /** How long a value is fresh. */
  ttlMs: number;
  /** Shortens each TTL by a random share up to this fraction (0.1 → 90-100 % of ttlMs), so keys filled together do not expire together. */
  jitter?: number;
  /**
   * How long after `ttlMs` a stale value may still be served: while it is refreshed in the
   * background (stale-while-revalidate), and while the factory keeps failing (fail-safe).
   */
  graceMs?: number;
  /**
   * XFetch (Vattani et al.): recompute a fresh value early, with a probability that grows as
   * expiry nears and with how long the factory takes. 0 turns it off; 1 is the paper's default.
   */
  xfetchBeta?: number;
  /** Cross-process lock around the factory: one process fills, the others wait for its value. */
  lock?: boolean | { ttlMs?: number; waitMs?: number };
  /** With a stale value at hand, wait at most this long for the factory, then answer stale (it keeps running). */
  softTimeoutMs?: number;
  /** Give up on the factory after this long (a stale value within grace is served instead, if there is one). */
  hardTimeoutMs?: number;
  /** Tags for group invalidation with {@link CacheEngine.invalidateTags}. */
  tags?: string[];
  /** Cache a `null` from the factory ("not found") for this long. Without it, `null` is not stored. */
  negativeTtlMs?: number;
  /** TTL by access frequency: keys read at least `hotHitsPerMinute` times a minute get `hotTtlMs`. */
  adaptiveTtl?: { hotHitsPerMinute: number; hotTtlMs: number };
}

/** What the factory is handed. */
export interface FactoryContext<T> {
  /** Aborted when the hard timeout passes. */
  signal: AbortSignal;
  /** The stale value being refreshed, if any. */
  stale: T | undefined;
  /** Serve this result to the callers waiting on it, but do not store it. */
  doNotCache(): void;
}

export type CacheFactory<T> = (context: FactoryContext<T>) => Promise<T | null> | T | null;

/** How a read was served: maps to the `X-Cache` header. */
export type ReadOutcome = 'hit' | 'miss' | 'stale' | 'bypass';

export interface CacheRead<T> {
  value: T | null;
  outcome: ReadOutcome;
}

/** Engine-wide settings; per-call options override the per-call ones. */
export interface CacheEngineSettings {
  maxValueBytes: number;
  tombstoneTtlMs: number;
  defaultLockTtlMs: number;
  defaultLockWaitMs: number;
  defaultHardTimeoutMs: number;
}

export const DEFAULT_ENGINE_SETTINGS: CacheEngineSettings = {
  maxValueBytes: 1024 * 1024,
  tombstoneTtlMs: 60_000,
  defaultLockTtlMs: 10_000,
  defaultLockWaitMs: 5_000,
  defaultHardTimeoutMs: 10_000,
};
