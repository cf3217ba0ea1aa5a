import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { coalesce, type WriteBehindEntry, type WriteBehindFlusher } from '@app/caching';
import type { ViewPayload } from './product-views.recorder.js';

export function positiveId(value: unknown, name: string): number {
  if (!Number.isSafeInteger(value) || (value as number) < 1) throw new TypeError(`${name} must be a positive integer, got ${JSON.stringify(value)}`);
  return value as number;
}

/**
 * Adds a batch of views to Postgres: one UPDATE for the whole batch, one row per product
 * (1,000 views of one product are one `views = views + 1000`). Runs in the consumer's
 * transaction, which also records the entry ids, so a redelivered batch is not counted twice.
 * The trigger ignores `views`: a flush does not invalidate cached products.
 */
@Injectable()
export class ProductViewsFlusher implements WriteBehindFlusher<ViewPayload> {
  parse(payload: unknown): ViewPayload {
    return { productId: positiveId((payload as Partial<ViewPayload> | null)?.productId, 'productId') };
  }

  async flush(entries: readonly WriteBehindEntry<ViewPayload>[], tx: EntityManager): Promise<void> {
    const perProduct = coalesce(entries, (p) => p.productId, (views) => views + 1, 0);
    await tx.query(
      `UPDATE catalog.products p SET views = p.views + v.n
         FROM unnest($1::bigint[], $2::bigint[]) AS v(id, n)
        WHERE p.id = v.id`,
      [[...perProduct.keys()], [...perProduct.values()]],
    );
  }
}
