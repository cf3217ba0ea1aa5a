import { type BeforeApplicationShutdown, Inject, Injectable } from '@nestjs/common';
import { INVALIDATION_OPTIONS } from './invalidation.module-definition.js';
import { InvalidationMetrics } from './invalidation.metrics.js';
import type { InvalidationModuleOptions } from './invalidation.options.js';
import { PgChangeListener } from './pg-change.listener.js';
import type { PgChangeListenerOptions } from './pg-change.listener.options.js';

/**
 * Starts CDC listeners on the module's `databaseUrl` and stops them at shutdown.
 *
 * @example
 * async onApplicationBootstrap() {
 *   await this.cdc.listen({ channel: 'catalog_products', changelog: 'catalog.cache_invalidations',
 *     handle: (change: TableChange<{ category: string }>) => this.invalidate(change) });
 * }
 */
@Injectable()
export class PgChangeListeners implements BeforeApplicationShutdown {
  private readonly running = new Set<PgChangeListener>();

  constructor(
    @Inject(INVALIDATION_OPTIONS) private readonly options: InvalidationModuleOptions,
    private readonly metrics: InvalidationMetrics,
  ) {}

  async listen(options: Omit<PgChangeListenerOptions, 'connection'> & Partial<Pick<PgChangeListenerOptions, 'connection'>>): Promise<PgChangeListener> {
    const connection = options.connection ?? this.options.databaseUrl;
    if (!connection) throw new Error('PgChangeListeners needs InvalidationModule.forFeature({ databaseUrl }) or a connection');
    const listener = new PgChangeListener({ ...options, connection }, this.metrics);
    this.running.add(listener);
    await listener.start();
    return listener;
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all([...this.running].map((listener) => listener.stop()));
    this.running.clear();
  }
}
