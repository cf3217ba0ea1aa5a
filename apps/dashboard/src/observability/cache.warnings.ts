import type { CacheReport, CacheWarning } from './cache-report.types.js';

/** Thresholds from the seed articles' monitoring advice. */
export const WARNING_THRESHOLDS = {
  /** Below this the cache is missing warming or has the wrong TTL. */
  hitRatioLow: 0.8,
  /** Below this the cache costs more than it saves. */
  hitRatioCritical: 0.5,
  /** A hit ratio over fewer reads than this says nothing yet. */
  minReads: 20,
  /** Share of maxclients at which connection pooling is due. */
  clientsShare: 0.8,
  replicaLagSeconds: 1,
  writeBehindLagSeconds: 30,
} as const;

const percent = (ratio: number) => `${(ratio * 100).toFixed(1)} %`;

/**
 * The warnings the seeds advise watching for: hit ratio under 80 % (under 50 %: the cache
 * costs more than it saves), evictions, the `noeviction` policy, clients near `maxclients`,
 * replica lag; plus Redis or a service being unreachable, dead-lettered events and write-behind lag.
 */
export function cacheWarnings(report: Omit<CacheReport, 'warnings'>): CacheWarning[] {
  const warnings: CacheWarning[] = [];
  const add = (level: CacheWarning['level'], code: string, message: string) => warnings.push({ level, code, message });
  const t = WARNING_THRESHOLDS;

  if (!report.redis.up) add('critical', 'redis-down', `Redis is down: every read goes to Postgres (${report.redis.error ?? 'no answer'})`);
  for (const node of report.redis.nodes) {
    if (node.evictedKeys > 0) add('warning', 'evictions', `${node.address} evicted ${node.evictedKeys} keys: give Redis more memory or cache less`);
    if (node.maxmemoryPolicy === 'noeviction') {
      add('warning', 'noeviction', `${node.address} uses maxmemory-policy noeviction: at the memory limit writes fail instead of evicting; volatile-lru evicts cache entries only`);
    } else if (node.maxmemoryPolicy.startsWith('allkeys-')) {
      add('warning', 'allkeys-eviction', `${node.address} uses maxmemory-policy ${node.maxmemoryPolicy}: it may evict write-behind streams, stock counters and sessions; volatile-lru evicts cache entries only`);
    }
    if (node.maxclients > 0 && node.connectedClients >= t.clientsShare * node.maxclients) {
      add('warning', 'clients-near-max', `${node.address} has ${node.connectedClients} of ${node.maxclients} clients: pool connections`);
    }
    for (const replica of node.replicas) {
      if (replica.lagSeconds > t.replicaLagSeconds || replica.state !== 'online') {
        add('warning', 'replica-lag', `replica ${replica.address} of ${node.address} is ${replica.state}, ${replica.lagSeconds} s behind`);
      }
    }
  }

  for (const service of report.services) {
    if (!service.up) {
      add('warning', 'service-unreachable', `${service.service} /metrics did not answer (${service.error ?? 'unknown error'})`);
      continue;
    }
    for (const ns of service.namespaces) {
      if (ns.hitRatio === null || ns.reads.total < t.minReads) continue;
      if (ns.hitRatio < t.hitRatioCritical) {
        add('critical', 'hit-ratio-critical', `${ns.namespace} hit ratio ${percent(ns.hitRatio)} < 50 %: this cache costs more than it saves`);
      } else if (ns.hitRatio < t.hitRatioLow) {
        add('warning', 'hit-ratio-low', `${ns.namespace} hit ratio ${percent(ns.hitRatio)} < 80 %: warm it, or revisit its TTL`);
      }
    }
    for (const queue of service.writeBehind) {
      if (queue.lagSeconds > t.writeBehindLagSeconds) {
        add('warning', 'write-behind-lag', `${service.service} write-behind ${queue.topic} is ${Math.round(queue.lagSeconds)} s behind (${queue.pending} pending)`);
      }
    }
  }

  for (const stream of report.streams) {
    if (stream.kind === 'dead-letters' && stream.length > 0) add('warning', 'dead-letters', `${stream.key} holds ${stream.length} events that failed every attempt`);
  }
  return warnings;
}
