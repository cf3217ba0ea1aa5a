import type { WriteBehindEntry } from './write-behind.interfaces.js';

/**
 * Folds a batch per key, in entry order, so the flush writes each row once.
 *
 * @example
 * // views: [{ productId: 7 }, { productId: 9 }, { productId: 7 }]
 * coalesce(entries, (p) => p.productId, (views) => views + 1, 0) // Map { 7 => 2, 9 => 1 }
 * // stock deltas: sum per product
 * coalesce(entries, (p) => p.productId, (sum, p) => sum + p.delta, 0)
 */
export function coalesce<T, K, A>(
  entries: readonly WriteBehindEntry<T>[],
  keyOf: (payload: T) => K,
  fold: (accumulated: A, payload: T) => A,
  initial: A,
): Map<K, A> {
  const folded = new Map<K, A>();
  for (const { payload } of entries) {
    const key = keyOf(payload);
    folded.set(key, fold(folded.has(key) ? folded.get(key)! : initial, payload));
  }
  return folded;
}
