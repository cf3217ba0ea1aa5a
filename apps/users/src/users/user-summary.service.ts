import { Injectable } from '@nestjs/common';
import { CacheEngine, type CacheRead } from '@app/caching';
import { OrderStatsService } from '../orders/order-stats.service.js';
import type { OrderStatsView } from '../orders/order-stats.view.js';
import { orderStatsKey, profileKey } from './user-cache.keys.js';
import type { UserView } from './user.view.js';
import { UsersService } from './users.service.js';

export interface UserSummary extends UserView, OrderStatsView {}

/**
 * Profile and order figures in one Redis round trip: both keys carry the hash tag `{id}`,
 * so one MGET reads them even on a Redis Cluster. Whatever is missing is filled on its own.
 */
@Injectable()
export class UserSummaryService {
  constructor(
    private readonly cache: CacheEngine,
    private readonly users: UsersService,
    private readonly orders: OrderStatsService,
  ) {}

  async summary(id: number): Promise<CacheRead<UserSummary>> {
    const [profile, stats] = await this.cache.getMany<UserView | OrderStatsView>([profileKey(this.cache.keys, id), orderStatsKey(this.cache.keys, id)]);
    if (profile === null) return { value: null, outcome: 'hit' };
    if (profile !== undefined && stats !== undefined && stats !== null) {
      return { value: { ...(profile as UserView), ...(stats as OrderStatsView) }, outcome: 'hit' };
    }
    const profileRead = profile === undefined ? await this.users.profile(id) : { value: profile as UserView, outcome: 'hit' as const };
    if (profileRead.value === null) return { value: null, outcome: profileRead.outcome };
    const statsRead = stats ? { value: stats as OrderStatsView, outcome: 'hit' as const } : await this.orders.stats(id);
    return { value: { ...profileRead.value, ...statsRead.value! }, outcome: 'miss' };
  }
}
