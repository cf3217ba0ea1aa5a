import type { CumulativeBuckets } from './histogram.quantile.js';

/** Percentiles in milliseconds; `null` when nothing was observed. */
export interface LatencyPercentilesMs {
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

export interface ReadCounts {
  hit: number;
  miss: number;
  stale: number;
  bypass: number;
  total: number;
}

/** Cache figures of one namespace (`<prefix><service>:<entity>`), or of a whole service. */
export interface CacheFigures {
  reads: ReadCounts;
  /** (hit + stale) / all reads; `null` before the first read. */
  hitRatio: number | null;
  fills: number;
  staleServes: number;
  coalescedWaits: number;
  lockWaits: number;
  errors: number;
  readLatencyMs: LatencyPercentilesMs;
  fillLatencyMs: LatencyPercentilesMs;
}

export interface NamespaceFigures extends CacheFigures {
  namespace: string;
}

/** What `/cache` says about one service, from its `/metrics`. Counters are totals since it started. */
export interface ServiceReport extends CacheFigures {
  service: string;
  url: string;
  up: boolean;
  error?: string;
  namespaces: NamespaceFigures[];
  /** All namespaces' read latency, for clients that chart a window (diff two polls). */
  readLatencyBuckets: CumulativeBuckets;
  dbQueries: number;
  writeBehind: { topic: string; pending: number; lagSeconds: number }[];
  consumers: { stream: string; group: string; pending: number; lag: number | null }[];
}

export interface RedisReplicaReport {
  address: string;
  state: string;
  /** Seconds since the replica last acknowledged, as its master sees it. */
  lagSeconds: number;
}

export interface RedisNodeReport {
  address: string;
  role: string;
  usedMemoryBytes: number;
  /** 0 means no limit. */
  maxmemoryBytes: number;
  maxmemoryPolicy: string;
  evictedKeys: number;
  keyspaceHits: number;
  keyspaceMisses: number;
  connectedClients: number;
  maxclients: number;
  replicas: RedisReplicaReport[];
}

export interface RedisReport {
  up: boolean;
  error?: string;
  mode: 'single' | 'cluster';
  nodes: RedisNodeReport[];
}

export interface StreamReport {
  key: string;
  kind: 'events' | 'write-behind' | 'dead-letters';
  length: number;
  groups: { name: string; pending: number; lag: number | null; consumers: number }[];
}

export type WarningLevel = 'critical' | 'warning';

export interface CacheWarning {
  level: WarningLevel;
  /** Stable identifier (`hit-ratio-low`, `evictions`, ...), for alerting and tests. */
  code: string;
  message: string;
}

/** The `/cache` body: the figures of the dashboard page. */
export interface CacheReport {
  generatedAt: string;
  services: ServiceReport[];
  redis: RedisReport;
  streams: StreamReport[];
  warnings: CacheWarning[];
}
