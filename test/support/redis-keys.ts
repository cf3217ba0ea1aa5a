import { Redis } from 'ioredis';

/** Deletes every key under `prefix` and its per-file sub-prefixes (`t1a:` and `t1a.x:`), with SCAN + UNLINK (never KEYS, never FLUSHDB). */
export async function deleteKeysWithPrefix(redisUrl: string, prefix: string): Promise<number> {
  if (!/^[A-Za-z0-9_.-]+:$/.test(prefix)) throw new Error(`refusing to delete under prefix "${prefix}"`);
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix.slice(0, -1)}[:.]*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) deleted += await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}
