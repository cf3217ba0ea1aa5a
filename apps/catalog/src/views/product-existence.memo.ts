import { Inject, Injectable } from '@nestjs/common';
import { CATALOG_CONFIG, type CatalogConfig } from '../catalog.config.js';
import { ProductsService } from '../products/products.service.js';

/** Products remembered at most; past it the longest-remembered one is forgotten first. */
const MAX_REMEMBERED = 10_000;

/**
 * Which products exist, remembered in process for a few seconds: the view route checks
 * existence on every view (a 404 keeps unknown ids out of the trending set and the stream),
 * and a popular product is viewed thousands of times a second. Asking the product cache
 * every time costs a Redis round trip per view, as much as recording the view itself.
 *
 * Only "exists" is remembered, for `viewExistenceMemoMs`: a product created a moment ago is
 * found at once. A product deleted meanwhile can collect views for that long; the flusher's
 * `UPDATE` then matches no row, and trending skips ids that no longer load.
 */
@Injectable()
export class ProductExistenceMemo {
  /** Product id → until when (epoch ms) it is known to exist; in insertion order, oldest first. */
  private readonly known = new Map<number, number>();

  constructor(
    private readonly products: ProductsService,
    @Inject(CATALOG_CONFIG) private readonly config: CatalogConfig,
  ) {}

  async exists(id: number): Promise<boolean> {
    const nowMs = Date.now();
    if ((this.known.get(id) ?? 0) > nowMs) return true;
    const found = (await this.products.product(id)).value !== null;
    if (found && this.config.viewExistenceMemoMs > 0) this.remember(id, nowMs + this.config.viewExistenceMemoMs);
    else this.known.delete(id);
    return found;
  }

  private remember(id: number, untilMs: number): void {
    this.known.delete(id); // re-inserted last: the map stays ordered by when each id was confirmed
    if (this.known.size >= MAX_REMEMBERED) this.known.delete(this.known.keys().next().value!);
    this.known.set(id, untilMs);
  }
}
