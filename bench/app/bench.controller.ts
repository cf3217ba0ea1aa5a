import { Controller, Get, Header, HttpCode, Inject, NotFoundException, Param, Post, UseInterceptors } from '@nestjs/common';
import { CacheInterceptor, CacheTTL } from '@nestjs/cache-manager';
import { CACHING_OPTIONS, type CachingModuleOptions, HttpCache, HttpCacheInterceptor, REDIS_CLIENT, type RedisClient } from '@app/caching';
import { ParseIdPipe } from '@app/platform';
import { type BenchProduct, BenchProductsQuery } from './bench-products.query.js';
import { type Stats, StatsQuery } from '../../apps/dashboard/src/stats/stats.query.js';

const PRODUCT_TTL_MS = 3_600_000;

// What /noop answers: the shape and size of a product, built once.
const NOOP_BODY: BenchProduct = {
  id: 1,
  sku: 'ELE-000001',
  name: 'Sturdy Cable 1',
  category: 'electronics',
  priceCents: 1999,
  stock: 40,
  views: 0,
};

/**
 * The same product read behind each contender, on one adapter and one Redis: the project's
 * {@link HttpCacheInterceptor}, `@nestjs/cache-manager`'s own `CacheInterceptor`, a handler
 * doing one bare ioredis GET, no cache at all, and a route doing no work (the ceiling).
 */
@Controller()
export class BenchController {
  private readonly rawPrefix: string;

  constructor(
    private readonly products: BenchProductsQuery,
    private readonly stats: StatsQuery,
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
    @Inject(CACHING_OPTIONS) options: CachingModuleOptions,
  ) {
    this.rawPrefix = `${options.keyPrefix}${options.service}:raw:product:`;
  }

  @Get('noop')
  noop(): BenchProduct {
    return NOOP_BODY;
  }

  @Get('ours/products/:id')
  @UseInterceptors(HttpCacheInterceptor)
  @HttpCache({ ttlMs: PRODUCT_TTL_MS, lock: true })
  ours(@Param('id', ParseIdPipe) id: number): Promise<BenchProduct> {
    return this.product(id);
  }

  /** The same without the cross-process lock: what a miss costs in Redis commands without it. */
  @Get('ours-nolock/products/:id')
  @UseInterceptors(HttpCacheInterceptor)
  @HttpCache({ ttlMs: PRODUCT_TTL_MS })
  oursNoLock(@Param('id', ParseIdPipe) id: number): Promise<BenchProduct> {
    return this.product(id);
  }

  @Get('builtin/products/:id')
  @UseInterceptors(CacheInterceptor)
  @CacheTTL(PRODUCT_TTL_MS)
  builtin(@Param('id', ParseIdPipe) id: number): Promise<BenchProduct> {
    return this.product(id);
  }

  /** The floor of any Redis-backed cache: one GET, the stored JSON sent as is. */
  @Get('raw/products/:id')
  @Header('Content-Type', 'application/json; charset=utf-8')
  async raw(@Param('id', ParseIdPipe) id: number): Promise<string> {
    const key = this.rawPrefix + id;
    const cached = await this.redis.get(key);
    if (cached !== null) return cached;
    const body = JSON.stringify(await this.product(id));
    await this.redis.set(key, body, 'PX', PRODUCT_TTL_MS);
    return body;
  }

  @Get('plain/products/:id')
  plain(@Param('id', ParseIdPipe) id: number): Promise<BenchProduct> {
    return this.product(id);
  }

  /** The dashboard's own `/stats` query (users, orders today, revenue month-to-date, best sellers), uncached. */
  @Get('plain/stats')
  plainStats(): Promise<Stats> {
    return this.stats.compute();
  }

  @Get('bench/products/count')
  async productCount(): Promise<{ count: number }> {
    return { count: await this.products.count() };
  }

  @Get('bench/products/views')
  async totalViews(): Promise<{ views: number }> {
    return { views: await this.products.totalViews() };
  }

  /** The synchronous alternative to write-behind: one UPDATE per view, in the request. */
  @Post('sync/products/:id/views')
  @HttpCode(204)
  async syncView(@Param('id', ParseIdPipe) id: number): Promise<void> {
    await this.products.addView(id);
  }

  private async product(id: number): Promise<BenchProduct> {
    const product = await this.products.findOne(id);
    if (!product) throw new NotFoundException(`product ${id} not found`);
    return product;
  }
}
