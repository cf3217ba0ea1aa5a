import { Inject, Injectable } from '@nestjs/common';
import { Cluster, type Redis } from 'ioredis';
import { CACHING_OPTIONS, type CachingModuleOptions, deadLetterStreamKey, eventStreamKey, REDIS_CLIENT, type RedisClient } from '@app/caching';
import { EVENT_STREAMS } from '@app/contracts';
import type { RedisNodeReport, RedisReplicaReport, RedisReport, StreamReport } from './cache-report.types.js';

/** SCAN rounds per node when looking for write-behind streams: bounds the work on a huge keyspace. */
const MAX_SCAN_ROUNDS = 20;

/** `INFO` text as a flat record (`used_memory` → `'1048576'`). */
export function parseRedisInfo(text: string): Record<string, string> {
  const info: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0 && !line.startsWith('#')) info[line.slice(0, colon)] = line.slice(colon + 1);
  }
  return info;
}

/** `slave0:ip=10.0.0.2,port=6379,state=online,offset=1234,lag=0` → a replica as its master sees it. */
function replicasOf(info: Record<string, string>): RedisReplicaReport[] {
  return Object.entries(info)
    .filter(([name]) => /^slave\d+$/.test(name))
    .map(([, value]) => {
      const fields = Object.fromEntries(value.split(',').map((pair) => pair.split('=') as [string, string]));
      return { address: `${fields.ip}:${fields.port}`, state: fields.state ?? 'unknown', lagSeconds: Number(fields.lag ?? 0) };
    });
}

function nodeReport(address: string, info: Record<string, string>, maxclients: number): RedisNodeReport {
  const number = (name: string) => Number(info[name] ?? 0);
  return {
    address,
    role: info.role ?? 'unknown',
    usedMemoryBytes: number('used_memory'),
    maxmemoryBytes: number('maxmemory'),
    maxmemoryPolicy: info.maxmemory_policy ?? 'unknown',
    evictedKeys: number('evicted_keys'),
    keyspaceHits: number('keyspace_hits'),
    keyspaceMisses: number('keyspace_misses'),
    connectedClients: number('connected_clients'),
    maxclients,
    replicas: replicasOf(info),
  };
}

/**
 * What Redis says about itself, for `/cache`: INFO of every node (every master of a
 * cluster), and the project's streams with their consumer groups. Read-only; every call
 * goes through the shared client, so it has the client's command timeout and fails fast
 * when Redis is down.
 */
@Injectable()
export class RedisInspector {
  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
    @Inject(CACHING_OPTIONS) private readonly options: CachingModuleOptions,
  ) {}

  async inspect(): Promise<RedisReport> {
    const mode = this.redis instanceof Cluster ? 'cluster' : 'single';
    try {
      const nodes = await Promise.all(this.nodes().map((node) => this.inspectNode(node)));
      return { up: true, mode, nodes };
    } catch (error) {
      return { up: false, mode, error: (error as Error).message, nodes: [] };
    }
  }

  /** The event streams (always) and write-behind streams (found by SCAN), with length and groups; empty when Redis is down. */
  async streams(): Promise<StreamReport[]> {
    try {
      const prefix = this.options.keyPrefix;
      const events = Object.values(EVENT_STREAMS).map((name) => eventStreamKey(prefix, name));
      const found = (await Promise.all(this.nodes().map((node) => this.scanStreams(node, `${prefix}*:wb:*`)))).flat();
      const keys = [...events, ...events.map(deadLetterStreamKey), ...new Set(found)];
      const reports = await Promise.all(keys.map((key) => this.inspectStream(key)));
      return reports.filter((report) => report.kind === 'events' || report.length > 0 || report.groups.length > 0);
    } catch {
      return [];
    }
  }

  private nodes(): Redis[] {
    return this.redis instanceof Cluster ? this.redis.nodes('master') : [this.redis];
  }

  private async inspectNode(node: Redis): Promise<RedisNodeReport> {
    const info = parseRedisInfo(await node.info());
    // INFO has maxclients since Redis 7; older servers answer CONFIG GET (unless a managed service disables it).
    const maxclients = info.maxclients ?? ((await node.config('GET', 'maxclients').catch(() => [])) as string[])[1];
    return nodeReport(`${node.options.host}:${node.options.port}`, info, Number(maxclients ?? 0));
  }

  private async scanStreams(node: Redis, pattern: string): Promise<string[]> {
    const keys: string[] = [];
    let cursor = '0';
    for (let round = 0; round < MAX_SCAN_ROUNDS; round++) {
      const [next, batch] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1_000, 'TYPE', 'stream');
      keys.push(...batch);
      cursor = next;
      if (cursor === '0') break;
    }
    return keys;
  }

  private async inspectStream(key: string): Promise<StreamReport> {
    const kind = key.endsWith(':dead') || key.endsWith(':dlq') ? 'dead-letters' : key.includes(':wb:') ? 'write-behind' : 'events';
    const length = await this.redis.xlen(key);
    if (length === 0 && kind !== 'events') return { key, kind, length, groups: [] };
    const groups = (await this.redis.xinfo('GROUPS', key).catch(() => [])) as unknown[][];
    return {
      key,
      kind,
      length,
      groups: groups.map((flat) => {
        const group: Record<string, unknown> = {};
        for (let i = 0; i + 1 < flat.length; i += 2) group[String(flat[i])] = flat[i + 1];
        return {
          name: String(group.name),
          pending: Number(group.pending ?? 0),
          lag: group.lag === null || group.lag === undefined ? null : Number(group.lag),
          consumers: Number(group.consumers ?? 0),
        };
      }),
    };
  }
}
