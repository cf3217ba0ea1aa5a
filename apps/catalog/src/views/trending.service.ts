import { Inject, Injectable } from '@nestjs/common';
import { CacheEngine, REDIS_CLIENT, type RedisClient, utcDay } from '@app/caching';
import { trendingKey } from '../products/product-cache.keys.js';
import type { ProductView } from '../products/product.view.js';
import { ProductsService } from '../products/products.service.js';

export interface TrendingProduct {
  product: ProductView;
  /** Views today (UTC), counted in Redis. */
  views: number;
}

/** Today's most-viewed products, from the sorted set every view increments. */
@Injectable()
export class TrendingService {
  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
    private readonly cache: CacheEngine,
    private readonly products: ProductsService,
  ) {}

  /** Top product ids with today's views (`ZREVRANGE ... WITHSCORES`); empty when Redis cannot say. */
  async topIds(limit: number, at = new Date()): Promise<{ id: number; views: number }[]> {
    const flat = await this.redis.zrevrange(trendingKey(this.cache.keys, utcDay(at)), 0, limit - 1, 'WITHSCORES');
    const top: { id: number; views: number }[] = [];
    for (let i = 0; i < flat.length; i += 2) top.push({ id: Number(flat[i]), views: Number(flat[i + 1]) });
    return top;
  }

  /** The top products, hydrated with one pipelined many-get (one MGET per slot); misses go through the loader. */
  async top(limit: number): Promise<TrendingProduct[]> {
    const top = await this.topIds(limit).catch(() => []);
    const products = await this.products.details.getMany(top.map(({ id }) => id));
    return top.flatMap(({ views }, i) => (products[i] ? [{ product: products[i], views }] : []));
  }
}
