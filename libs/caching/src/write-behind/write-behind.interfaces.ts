import type { EntityManager } from 'typeorm';

/** One queued write, as the flush handler sees it. */
export interface WriteBehindEntry<T> {
  /** Stream entry id (`<ms>-<seq>`), unique per topic; the idempotency key. */
  id: string;
  payload: T;
  /** Times Redis handed this entry to a consumer, this delivery included. */
  deliveries: number;
}

/**
 * Applies a batch of one topic to the database. `flush` runs inside ONE transaction that
 * also records the entry ids; throw to roll the batch back. Entries already applied by an
 * earlier delivery are filtered out before `flush` sees them.
 *
 * @example
 * @Injectable()
 * export class ProductViewsFlusher implements WriteBehindFlusher<{ productId: number }> {
 *   parse(payload: unknown) {
 *     const id = (payload as { productId?: unknown })?.productId;
 *     if (!Number.isSafeInteger(id)) throw new TypeError('productId must be an integer');
 *     return { productId: id as number };
 *   }
 *   async flush(entries: readonly WriteBehindEntry<{ productId: number }>[], tx: EntityManager) {
 *     for (const [productId, views] of coalesce(entries, (p) => p.productId, (n) => n + 1, 0)) {
 *       await tx.query('UPDATE catalog.products SET views = views + $2 WHERE id = $1', [productId, views]);
 *     }
 *   }
 * }
 */
export interface WriteBehindFlusher<T> {
  /** Checks and types one payload; a throw dead-letters the entry without retrying it. */
  parse?(payload: unknown): T;
  flush(entries: readonly WriteBehindEntry<T>[], tx: EntityManager): Promise<void>;
}

/** Where a topic stands. Ages are measured on the Redis server's clock. */
export interface WriteBehindStats {
  topic: string;
  /** Entries in the stream (flushed entries are trimmed away over time). */
  length: number;
  /** Delivered to a consumer, not yet acknowledged. */
  pending: number;
  /** Appended but not yet delivered to any consumer; null when Redis cannot tell. */
  undelivered: number | null;
  /** Age of the oldest pending entry since it was enqueued; 0 when none. */
  oldestPendingAgeMs: number;
  /** Age of the oldest entry not yet flushed, pending or undelivered; 0 when caught up. */
  lagMs: number;
  /** Last commit of this process's consumer; null before the first. */
  lastFlushAt: Date | null;
}
