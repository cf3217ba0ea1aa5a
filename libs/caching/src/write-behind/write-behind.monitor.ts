import { Injectable } from '@nestjs/common';
import type { WriteBehindConsumer } from './write-behind.consumer.js';
import type { WriteBehindStats } from './write-behind.interfaces.js';

/**
 * The consumers of this app, for health and dashboards.
 *
 * @example
 * await monitor.stats(); // { views: { topic: 'views', pending: 3, lagMs: 120, ... }, stock: { ... } }
 */
@Injectable()
export class WriteBehindMonitor {
  private readonly registered = new Map<string, WriteBehindConsumer>();

  register<T>(consumer: WriteBehindConsumer<T>): WriteBehindConsumer<T> {
    if (this.registered.has(consumer.topic)) throw new Error(`write-behind topic "${consumer.topic}" is registered twice`);
    this.registered.set(consumer.topic, consumer as unknown as WriteBehindConsumer);
    return consumer;
  }

  get consumers(): WriteBehindConsumer[] {
    return [...this.registered.values()];
  }

  /** Stats per topic. */
  async stats(): Promise<Record<string, WriteBehindStats>> {
    const all = await Promise.all(this.consumers.map((consumer) => consumer.stats()));
    return Object.fromEntries(all.map((stats) => [stats.topic, stats]));
  }
}
