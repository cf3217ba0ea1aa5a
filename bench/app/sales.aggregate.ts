import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

/** Orders and revenue over a trailing window: a mid-weight aggregate (an index-only scan of about a third of the orders at full volume). */
export interface RecentSales {
  days: number;
  orders: number;
  revenueCents: number;
  computeMs: number;
}

/** A real aggregate over the seeded orders, so a recompute costs what the database really costs (no sleeps). */
@Injectable()
export class SalesAggregate {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async recentSales(days: number): Promise<RecentSales> {
    const startedAt = performance.now();
    const [row] = (await this.db.query(
      `SELECT count(*)::bigint AS orders, coalesce(sum(total_cents), 0)::bigint AS revenue
       FROM catalog.orders WHERE created_at >= now() - make_interval(days => $1)`,
      [days],
    )) as { orders: string; revenue: string }[];
    return { days, orders: Number(row.orders), revenueCents: Number(row.revenue), computeMs: performance.now() - startedAt };
  }
}
