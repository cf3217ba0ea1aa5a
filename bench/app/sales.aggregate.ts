import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

/** The dashboard-style aggregates, over the whole seeded volume (money in cents). */
export interface SalesStats {
  totalUsers: number;
  ordersToday: number;
  revenueMonthToDateCents: number;
  topProducts: { productId: number; unitsSold: number }[];
  computeMs: number;
}

/** A category's sales over all its order lines: a mid-weight aggregate (tens of ms at full volume). */
export interface CategorySales {
  category: string;
  lines: number;
  units: number;
  revenueCents: number;
  computedAtMs: number;
  computeMs: number;
}

/**
 * Real aggregates over the seeded tables, so an uncached request costs what the database
 * really costs (no sleeps). `stats()` is the dashboard's `/stats` workload: users, orders
 * today, revenue month-to-date and the best sellers over every order line.
 */
@Injectable()
export class SalesAggregate {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async stats(): Promise<SalesStats> {
    const startedAt = performance.now();
    const [[users], [orders], [revenue], top] = (await Promise.all([
      this.db.query(`SELECT count(*)::bigint AS n FROM users.users`),
      this.db.query(`SELECT count(*)::bigint AS n FROM catalog.orders WHERE created_at >= date_trunc('day', now())`),
      this.db.query(`SELECT coalesce(sum(amount_cents), 0)::bigint AS n FROM catalog.payments WHERE created_at >= date_trunc('month', now())`),
      this.db.query(
        `SELECT product_id AS "productId", sum(quantity)::bigint AS units FROM catalog.order_items
         GROUP BY product_id ORDER BY units DESC, product_id LIMIT 5`,
      ),
    ])) as [{ n: string }[], { n: string }[], { n: string }[], { productId: string; units: string }[]];
    return {
      totalUsers: Number(users.n),
      ordersToday: Number(orders.n),
      revenueMonthToDateCents: Number(revenue.n),
      topProducts: top.map((row) => ({ productId: Number(row.productId), unitsSold: Number(row.units) })),
      computeMs: Math.round(performance.now() - startedAt),
    };
  }

  async category(category: string): Promise<CategorySales> {
    const startedAt = performance.now();
    const [row] = (await this.db.query(
      `SELECT count(*)::bigint AS lines, coalesce(sum(oi.quantity), 0)::bigint AS units,
              coalesce(sum(oi.quantity::bigint * oi.unit_price_cents), 0)::bigint AS revenue
       FROM catalog.order_items oi JOIN catalog.products p ON p.id = oi.product_id
       WHERE p.category = $1`,
      [category],
    )) as { lines: string; units: string; revenue: string }[];
    return {
      category,
      lines: Number(row.lines),
      units: Number(row.units),
      revenueCents: Number(row.revenue),
      computedAtMs: Date.now(),
      computeMs: performance.now() - startedAt,
    };
  }

  /** The most common category (the hot key's subject). */
  async busiestCategory(): Promise<string> {
    const [row] = (await this.db.query(
      `SELECT category FROM catalog.products GROUP BY category ORDER BY count(*) DESC, category LIMIT 1`,
    )) as { category: string }[];
    return row.category;
  }
}
