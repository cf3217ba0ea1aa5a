import { Injectable } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { CacheMetrics } from '@app/caching';
import type { RedisNodeReport, RedisReport } from './cache-report.types.js';
import { RedisInspector } from './redis.inspector.js';

/** One INFO round per scrape, however many gauges read it. */
const SNAPSHOT_MAX_AGE_MS = 1_000;

const NODE_GAUGES: [name: string, help: string, pick: (node: RedisNodeReport) => number][] = [
  ['redis_used_memory_bytes', 'Redis used_memory', (n) => n.usedMemoryBytes],
  ['redis_maxmemory_bytes', 'Redis maxmemory (0: no limit)', (n) => n.maxmemoryBytes],
  ['redis_evicted_keys', 'Redis evicted_keys since the server started', (n) => n.evictedKeys],
  ['redis_keyspace_hits', 'Redis keyspace_hits since the server started', (n) => n.keyspaceHits],
  ['redis_keyspace_misses', 'Redis keyspace_misses since the server started', (n) => n.keyspaceMisses],
  ['redis_connected_clients', 'Redis connected_clients', (n) => n.connectedClients],
  ['redis_maxclients', 'Redis maxclients', (n) => n.maxclients],
];

/**
 * Redis INFO as gauges on the dashboard's `/metrics`, so Prometheus and Grafana chart the
 * same figures as the page without a separate redis_exporter.
 */
@Injectable()
export class RedisInfoMetrics {
  private snapshot: { atMs: number; report: Promise<RedisReport> } | undefined;

  constructor(metrics: CacheMetrics, inspector: RedisInspector) {
    const read = () => {
      if (!this.snapshot || Date.now() - this.snapshot.atMs > SNAPSHOT_MAX_AGE_MS) {
        this.snapshot = { atMs: Date.now(), report: inspector.inspect() };
      }
      return this.snapshot.report;
    };
    const registers = [metrics.registry];
    new Gauge({
      name: 'redis_up',
      help: 'Whether Redis answered INFO (1) or not (0)',
      registers,
      async collect() {
        this.set((await read()).up ? 1 : 0);
      },
    });
    new Gauge({
      name: 'redis_maxmemory_policy_info',
      help: 'Redis maxmemory-policy, as a label',
      labelNames: ['node', 'policy'] as const,
      registers,
      async collect() {
        this.reset();
        for (const node of (await read()).nodes) this.set({ node: node.address, policy: node.maxmemoryPolicy }, 1);
      },
    });
    for (const [name, help, pick] of NODE_GAUGES) {
      new Gauge({
        name,
        help,
        labelNames: ['node'] as const,
        registers,
        async collect() {
          this.reset();
          for (const node of (await read()).nodes) this.set({ node: node.address }, pick(node));
        },
      });
    }
  }
}
