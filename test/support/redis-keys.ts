import { Cluster, Redis } from 'ioredis';
import type { RedisNodeAddress } from '@app/caching';

/**
 * Deletes every key under `prefix` and its per-file sub-prefixes (`t1a:` and `t1a.x:`), with SCAN + UNLINK
 * on one node, or on every master of a cluster (never KEYS, never FLUSHDB).
 */
export async function deleteKeysWithPrefix(target: string | RedisNodeAddress[], prefix: string): Promise<number> {
  if (!/^[A-Za-z0-9_.-]+:$/.test(prefix)) throw new Error(`refusing to delete under prefix "${prefix}"`);
  const redis =
    typeof target === 'string'
      ? new Redis(target, { lazyConnect: true, maxRetriesPerRequest: 1 })
      : new Cluster(target, { lazyConnect: true, redisOptions: { maxRetriesPerRequest: 1 } });
  await redis.connect();
  let deleted = 0;
  try {
    const nodes = redis instanceof Cluster ? redis.nodes('master') : [redis];
    for (const node of nodes) {
      let cursor = '0';
      do {
        const [next, keys] = await node.scan(cursor, 'MATCH', `${prefix.slice(0, -1)}[:.]*`, 'COUNT', 1000);
        cursor = next;
        // One UNLINK per key: on a cluster the keys of one scan batch span many slots.
        if (keys.length) deleted += (await Promise.all(keys.map((key) => node.unlink(key)))).reduce((sum, n) => sum + n, 0);
      } while (cursor !== '0');
    }
  } finally {
    redis.disconnect();
  }
  return deleted;
}
