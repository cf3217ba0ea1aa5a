import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Counter } from 'prom-client';
import { CacheEngine, CacheMetrics } from '@app/caching';
import { CATALOG_CONFIG, type CatalogConfig } from '../catalog.config.js';
import { ProductsService } from '../products/products.service.js';
import { TrendingService } from '../views/trending.service.js';

/**
 * Prefetch: loads today's top-N trending products that are not cached into the cache at boot
 * and then every `warmIntervalMs` (one MGET finds the cold ones), so the products most likely
 * to be asked for are hits before anyone asks. Products already cached are left to XFetch.
 */
@Injectable()
export class TrendingWarmer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(TrendingWarmer.name);
  private readonly warmed: Counter<'outcome'>;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;

  constructor(
    private readonly trending: TrendingService,
    private readonly products: ProductsService,
    private readonly cache: CacheEngine,
    @Inject(CATALOG_CONFIG) private readonly config: CatalogConfig,
    metrics: CacheMetrics,
  ) {
    this.warmed = new Counter({
      name: 'catalog_prefetched_products_total',
      help: 'Trending products loaded into the cache ahead of requests, by outcome',
      labelNames: ['outcome'],
      registers: [metrics.registry],
    });
  }

  onApplicationBootstrap(): void {
    if (this.config.warmTopN === 0) return;
    void this.warm();
    if (this.config.warmIntervalMs > 0) this.timer = setInterval(() => void this.warm(), this.config.warmIntervalMs).unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** Warms the current top N; resolves with how many were stored. A run in progress is joined, not repeated. */
  warm(): Promise<number> {
    this.running ??= this.warmTop().finally(() => (this.running = undefined));
    return this.running;
  }

  private async warmTop(): Promise<number> {
    try {
      const top = await this.trending.topIds(this.config.warmTopN);
      const cached = await this.cache.getMany(top.map(({ id }) => this.products.details.keyOf(id)));
      const cold = top.filter((_, i) => cached[i] === undefined);
      let stored = 0;
      for (const { id } of cold) {
        const ok = await this.products.details.refresh(id).catch(() => false);
        this.warmed.inc({ outcome: ok ? 'stored' : 'skipped' });
        if (ok) stored++;
      }
      if (cold.length) this.logger.log(`prefetched ${stored} of ${cold.length} cold products among the top ${top.length} trending`);
      return stored;
    } catch (error) {
      this.logger.warn(`prefetch skipped: ${(error as Error).message}`);
      return 0;
    }
  }
}
