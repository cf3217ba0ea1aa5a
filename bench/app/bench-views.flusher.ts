import { Injectable } from '@nestjs/common';
import { coalesce, type WriteBehindEntry, type WriteBehindFlusher } from '@app/caching';
import type { EntityManager } from 'typeorm';

export interface ViewPayload {
  productId: number;
}

/** Applies a batch of views: one UPDATE per product in the batch, not one per view. */
@Injectable()
export class BenchViewsFlusher implements WriteBehindFlusher<ViewPayload> {
  parse(payload: unknown): ViewPayload {
    const productId = (payload as { productId?: unknown } | null)?.productId;
    if (!Number.isSafeInteger(productId)) throw new TypeError('productId must be an integer');
    return { productId: productId as number };
  }

  async flush(entries: readonly WriteBehindEntry<ViewPayload>[], tx: EntityManager): Promise<void> {
    const views = coalesce(entries, (p) => p.productId, (n: number) => n + 1, 0);
    // One statement for the whole batch: unnest the (id, delta) pairs.
    await tx.query(
      `UPDATE catalog.products p SET views = p.views + d.delta
       FROM unnest($1::bigint[], $2::bigint[]) AS d(id, delta) WHERE p.id = d.id`,
      [[...views.keys()], [...views.values()]],
    );
  }
}
