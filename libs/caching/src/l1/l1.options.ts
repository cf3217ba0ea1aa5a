/** The optional in-process tier in front of Redis ({@link L1Cache}). Times are milliseconds. */
export interface L1Options {
  /**
   * Entities (the key segment after the service: `user` in `cref:users:user:{42}:profile`)
   * whose entries are also kept in process memory. Empty: no L1 at all.
   */
  entities: string[];
  /**
   * Longest an entry lives in L1, whatever its Redis TTL. The staleness bound when an
   * invalidation message cannot be delivered and the loss goes unnoticed (a half-open socket
   * between two heartbeats); a noticed loss drops the whole L1 at once.
   */
  ttlMs?: number;
  /** Most entries kept (least recently used evicted first). */
  maxEntries?: number;
  /** How often the subscriber connection is PINGed; no answer within this long counts as a lost connection. */
  heartbeatMs?: number;
}

export const L1_DEFAULTS = { ttlMs: 2_000, maxEntries: 10_000, heartbeatMs: 1_000 } as const;
