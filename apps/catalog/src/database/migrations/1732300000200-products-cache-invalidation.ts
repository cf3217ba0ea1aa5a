import type { MigrationInterface, QueryRunner } from 'typeorm';
import { cdcChangelogSql, cdcTriggerSql } from '@app/caching';

/** CDC channel of `catalog.products`: every change to the table, raw SQL included, is notified here. */
export const PRODUCTS_CHANGES_CHANNEL = 'catalog_products';
/** Changelog the catalog triggers write, read by listeners that reconnect. */
export const CATALOG_CHANGELOG = 'catalog.cache_invalidations';

const changelog = cdcChangelogSql(CATALOG_CHANGELOG);
const products = cdcTriggerSql({ table: 'catalog.products', channel: PRODUCTS_CHANGES_CHANNEL, changelog: CATALOG_CHANGELOG, columns: ['category'] });

export class ProductsCacheInvalidation1732300000200 implements MigrationInterface {
  name = 'ProductsCacheInvalidation1732300000200';

  async up(q: QueryRunner): Promise<void> {
    for (const sql of [...changelog.up, ...products.up]) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const sql of [...products.down, ...changelog.down]) await q.query(sql);
  }
}
