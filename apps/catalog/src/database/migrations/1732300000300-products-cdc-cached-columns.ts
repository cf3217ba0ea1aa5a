import type { MigrationInterface, QueryRunner } from 'typeorm';

const CACHED_COLUMNS = ['sku', 'name', 'category', 'price_cents', 'stock'];
const row = (alias: 'OLD' | 'NEW') => `(${CACHED_COLUMNS.map((column) => `${alias}.${column}`).join(', ')})`;

/**
 * Narrows the products CDC trigger to changes a cached product can show: view counts are
 * written behind every few hundred milliseconds, and would otherwise invalidate every hot
 * product on every flush. A raw `UPDATE ... SET price_cents = ...` still notifies.
 */
export class ProductsCdcCachedColumns1732300000300 implements MigrationInterface {
  name = 'ProductsCdcCachedColumns1732300000300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER products_cache_invalidation ON catalog.products`);
    await q.query(`
      CREATE TRIGGER products_cache_invalidation AFTER INSERT OR DELETE ON catalog.products
      FOR EACH ROW EXECUTE FUNCTION catalog.products_cache_invalidation()`);
    await q.query(`
      CREATE TRIGGER products_cache_invalidation_update AFTER UPDATE ON catalog.products
      FOR EACH ROW WHEN (${row('OLD')} IS DISTINCT FROM ${row('NEW')})
      EXECUTE FUNCTION catalog.products_cache_invalidation()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER products_cache_invalidation_update ON catalog.products`);
    await q.query(`DROP TRIGGER products_cache_invalidation ON catalog.products`);
    await q.query(`
      CREATE TRIGGER products_cache_invalidation AFTER INSERT OR UPDATE OR DELETE ON catalog.products
      FOR EACH ROW EXECUTE FUNCTION catalog.products_cache_invalidation()`);
  }
}
