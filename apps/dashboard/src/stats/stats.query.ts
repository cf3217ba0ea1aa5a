import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

/** The `/stats` body: aggregates over the users and catalog schemas. Money in cents. */
export interface Stats {
  totalUsers: number;
  ordersToday: number;
  revenueMonthToDateCents: number;
  /** Best sellers of all time, by units sold. */
  topProducts: { productId: number; name: string; unitsSold: number }[];
  /** When the computation finished (ISO-8601); it saw the database as of `computedAt - computeMs`. */
  computedAt: string;
  computeMs: number;
}

const TOP_PRODUCTS = 5;

/** The expensive aggregates, straight from Postgres: the factory behind the cached `/stats`. */
@Injectable()
export class StatsQuery {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async compute(): Promise<Stats> {
    const startedAt = performance.now();
    // "Today" and "this month" are the database server's calendar (its TimeZone setting).
    const [[users], [orders], [revenue], top] = await Promise.all([
      this.db.query(`SELECT count(*)::bigint AS n FROM users.users`),
      this.db.query(`SELECT count(*)::bigint AS n FROM catalog.orders WHERE created_at >= date_trunc('day', now())`),
      this.db.query(
        `SELECT coalesce(sum(amount_cents), 0)::bigint AS n FROM catalog.payments WHERE created_at >= date_trunc('month', now())`,
      ),
      this.db.query(
        `SELECT p.id AS "productId", p.name, t.units AS "unitsSold"
         FROM (SELECT product_id, sum(quantity)::bigint AS units FROM catalog.order_items
               GROUP BY product_id ORDER BY units DESC, product_id LIMIT $1) t
         JOIN catalog.products p ON p.id = t.product_id
         ORDER BY t.units DESC, p.id`,
        [TOP_PRODUCTS],
      ),
    ]);
    return {
      totalUsers: Number(users.n),
      ordersToday: Number(orders.n),
      revenueMonthToDateCents: Number(revenue.n),
      topProducts: (top as { productId: string; name: string; unitsSold: string }[]).map((row) => ({
        productId: Number(row.productId),
        name: row.name,
        unitsSold: Number(row.unitsSold),
      })),
      computedAt: new Date().toISOString(),
      computeMs: Math.round(performance.now() - startedAt),
    };
  }
}

/** Wall-clock time of the database state a {@link Stats} describes (when its computation started). */
export function snapshotTimeMs(stats: Stats): number {
  return Date.parse(stats.computedAt) - stats.computeMs;
}
