import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { CacheEngine, PgChangeListeners, REDIS_CLIENT, type RedisClient, type TableChange } from '@app/caching';
import { CATALOG_CONFIG, type CatalogConfig } from '../catalog.config.js';
import { CATALOG_CHANGELOG, PRODUCTS_CHANGES_CHANNEL } from '../database/migrations/1732300000200-products-cache-invalidation.js';
import { PRODUCT_ENTITY, PRODUCT_LIST_ENTITY } from './product-cache.keys.js';
import { ProductsService } from './products.service.js';

type ProductChange = TableChange<{ category: string }>;

/**
 * CDC invalidation: the products trigger notifies every committed change, from this API or a
 * raw `UPDATE` in psql, and this drops the product's details and the pages of its old and new
 * category. Changes made while the listener was disconnected are read from the changelog when
 * it reconnects (see `PgChangeListener`).
 */
@Injectable()
export class ProductChangesListener implements OnApplicationBootstrap {
  private readonly logger = new Logger(ProductChangesListener.name);

  constructor(
    private readonly cdc: PgChangeListeners,
    private readonly products: ProductsService,
    private readonly cache: CacheEngine,
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
    @Inject(CATALOG_CONFIG) private readonly config: CatalogConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.cdc.listen({
      channel: PRODUCTS_CHANGES_CHANNEL,
      changelog: CATALOG_CHANGELOG,
      resyncIntervalMs: this.config.cdcResyncIntervalMs,
      handle: (change: ProductChange) => this.apply(change),
      onResyncGap: () => this.invalidateEverything('the listener was away longer than the changelog keeps changes'),
    });
  }

  private async apply(change: ProductChange): Promise<void> {
    if (change.op === 'TRUNCATE') return this.invalidateEverything('catalog.products was truncated');
    const categories = [change.old?.category, change.new?.category].filter((c): c is string => typeof c === 'string');
    await this.products.invalidate(Number(change.id), categories);
  }

  /** Every product's details and every list page, found with SCAN (never KEYS), on every master of a cluster. */
  private async invalidateEverything(reason: string): Promise<void> {
    this.logger.warn(`invalidating every cached product: ${reason}`);
    const nodes = 'nodes' in this.redis ? this.redis.nodes('master') : [this.redis];
    for (const pattern of [this.cache.keys.pattern(PRODUCT_ENTITY), this.cache.keys.pattern(PRODUCT_LIST_ENTITY)]) {
      for (const node of nodes) {
        let cursor = '0';
        do {
          const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1_000);
          if (keys.length) await this.cache.delete(...keys);
          cursor = next;
        } while (cursor !== '0');
      }
    }
  }
}
