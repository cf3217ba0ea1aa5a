import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CacheReport } from './cache-report.types.js';
import { cacheWarnings } from './cache.warnings.js';

type Report = Omit<CacheReport, 'warnings'>;
const node = (maxmemoryPolicy: string) => ({ address: 'r:6379', maxmemoryPolicy, evictedKeys: 0, maxclients: 10_000, connectedClients: 5, replicas: [] });
const report = (policy: string) => ({ redis: { up: true, nodes: [node(policy)] }, services: [], streams: [] }) as unknown as Report;
const codes = (policy: string) => cacheWarnings(report(policy)).map((warning) => warning.code);

describe('cacheWarnings on the eviction policy', () => {
  it('warns that noeviction makes writes fail at the memory limit', () => {
    assert.deepEqual(codes('noeviction'), ['noeviction']);
  });

  it('warns that allkeys-* policies can evict state (streams, stock, sessions), not only cache entries', () => {
    assert.deepEqual(codes('allkeys-lru'), ['allkeys-eviction']);
    assert.deepEqual(codes('allkeys-lfu'), ['allkeys-eviction']);
  });

  it('says nothing about volatile-lru, which evicts only keys with a TTL', () => {
    assert.deepEqual(codes('volatile-lru'), []);
  });
});
