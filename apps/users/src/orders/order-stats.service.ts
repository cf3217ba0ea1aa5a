import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { CacheEngine, type CacheEvent, type CacheRead } from '@app/caching';
import type { OrderCreatedPayload } from '@app/contracts';
import { USERS_CACHE_CONFIG, type UsersCacheConfig } from '../users.config.js';
import { orderStatsKey } from '../users/user-cache.keys.js';
import { NO_ORDERS, type OrderStatsView } from './order-stats.view.js';

interface OrderStatsRow {
  order_count: number;
  last_order_at: Date | null;
}

const toView = (row: OrderStatsRow | undefined): OrderStatsView =>
  row ? { orderCount: row.order_count, lastOrderAt: row.last_order_at?.toISOString() ?? null } : NO_ORDERS;

/**
 * Per-user order figures: a read model in `users.order_stats`, updated from catalog's
 * order events, and cached under `user:{id}:orders` (same hash slot as the profile).
 */
@Injectable()
export class OrderStatsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly cache: CacheEngine,
    @Inject(USERS_CACHE_CONFIG) private readonly config: UsersCacheConfig,
  ) {}

  stats(userId: number): Promise<CacheRead<OrderStatsView>> {
    return this.cache.fetch(
      orderStatsKey(this.cache.keys, userId),
      async () => {
        const rows: OrderStatsRow[] = await this.db.query('SELECT order_count, last_order_at FROM users.order_stats WHERE user_id = $1', [userId]);
        return toView(rows[0]);
      },
      { ttlMs: this.config.profileTtlMs, jitter: this.config.profileJitter },
    );
  }

  /**
   * Applies one order event exactly once (its id is recorded in the same transaction),
   * then writes the new figures through to the cache.
   */
  async apply(event: CacheEvent<OrderCreatedPayload>): Promise<void> {
    const { userId, createdAt } = event.payload;
    const row = await this.db.transaction(async (tx) => {
      const inserted: unknown[] = await tx.query(
        'INSERT INTO users.applied_events (event_id) VALUES ($1) ON CONFLICT DO NOTHING RETURNING event_id',
        [event.id],
      );
      if (inserted.length === 0) return undefined;
      const [stats]: OrderStatsRow[] = await tx.query(
        `INSERT INTO users.order_stats AS s (user_id, order_count, last_order_at) VALUES ($1, 1, $2)
         ON CONFLICT (user_id) DO UPDATE SET order_count = s.order_count + 1, last_order_at = greatest(s.last_order_at, excluded.last_order_at)
         RETURNING order_count, last_order_at`,
        [userId, createdAt],
      );
      return stats;
    });
    if (row) {
      await this.cache.set(orderStatsKey(this.cache.keys, userId), toView(row), { ttlMs: this.config.profileTtlMs, jitter: this.config.profileJitter });
    }
  }
}
