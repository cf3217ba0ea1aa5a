import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { ProductView } from '../../apps/catalog/src/products/product.view.js';

/** A product row as the bench routes return it (the shape of catalog's `GET /products/:id`). */
export type BenchProduct = Omit<ProductView, 'updatedAt'>;

/** The real queries behind the bench routes: a primary-key read and a per-row counter update. */
@Injectable()
export class BenchProductsQuery {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async findOne(id: number): Promise<BenchProduct | null> {
    const [row] = (await this.db.query(
      `SELECT id, sku, name, category, price_cents AS "priceCents", stock, views FROM catalog.products WHERE id = $1`,
      [id],
    )) as Record<string, string | number>[];
    if (!row) return null;
    return { ...(row as unknown as BenchProduct), id: Number(row.id), views: Number(row.views) };
  }

  async count(): Promise<number> {
    const [row] = (await this.db.query(`SELECT count(*)::int AS n FROM catalog.products`)) as { n: number }[];
    return row.n;
  }

  async totalViews(): Promise<number> {
    const [row] = (await this.db.query(`SELECT coalesce(sum(views), 0)::bigint AS n FROM catalog.products`)) as { n: string }[];
    return Number(row.n);
  }

  /** The synchronous write that write-behind replaces: one UPDATE per view. */
  async addView(id: number): Promise<void> {
    await this.db.query(`UPDATE catalog.products SET views = views + 1 WHERE id = $1`, [id]);
  }
}
