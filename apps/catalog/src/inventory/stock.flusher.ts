import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { coalesce, type WriteBehindEntry, type WriteBehindFlusher } from '@app/caching';
import { positiveId } from '../views/product-views.flusher.js';
import type { StockPayload } from './stock.store.js';

/**
 * Applies a batch of stock deltas: summed per product, one UPDATE for the batch, in the
 * consumer's transaction (which records the entry ids: a redelivery is not applied twice).
 * Redis admitted every delta, so Postgres cannot go below zero unless the two diverged; then
 * the CHECK (stock >= 0) fails the entry, which is retried alone and dead-lettered.
 */
@Injectable()
export class StockDeltaFlusher implements WriteBehindFlusher<StockPayload> {
  parse(payload: unknown): StockPayload {
    const { productId, delta, idempotencyKey } = (payload ?? {}) as Partial<StockPayload>;
    if (!Number.isSafeInteger(delta) || delta === 0) throw new TypeError(`delta must be a non-zero integer, got ${JSON.stringify(delta)}`);
    if (typeof idempotencyKey !== 'string') throw new TypeError('idempotencyKey must be a string');
    return { productId: positiveId(productId, 'productId'), delta: delta as number, idempotencyKey };
  }

  async flush(entries: readonly WriteBehindEntry<StockPayload>[], tx: EntityManager): Promise<void> {
    const perProduct = coalesce(entries, (p) => p.productId, (sum, p) => sum + p.delta, 0);
    await tx.query(
      `UPDATE catalog.products p SET stock = p.stock + v.delta, updated_at = now()
         FROM unnest($1::bigint[], $2::bigint[]) AS v(id, delta)
        WHERE p.id = v.id AND v.delta <> 0`,
      [[...perProduct.keys()], [...perProduct.values()]],
    );
  }
}
