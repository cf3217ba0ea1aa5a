import calculateSlot from 'cluster-key-slot';
import { Cluster, Redis } from 'ioredis';
import type { RedisNodeAddress } from '@app/caching';

/**
 * The Redis the e2e run uses: the shared single node (`REDIS_URL`, default 6379) or, in the
 * runner's cluster pass, a private Redis Cluster (`REDIS_CLUSTER_NODES`). Specs open their
 * assertion clients and library connections through these helpers, so each spec runs in both.
 */
export type TestRedis = Redis | Cluster;
export type TestRedisMode = 'single' | 'cluster';

export function testRedisMode(env: NodeJS.ProcessEnv = process.env): TestRedisMode {
  return env.REDIS_CLUSTER_NODES ? 'cluster' : 'single';
}

/** The seed nodes of the run's cluster (empty in single-node mode). */
export function testClusterNodes(env: NodeJS.ProcessEnv = process.env): RedisNodeAddress[] {
  return (env.REDIS_CLUSTER_NODES ?? '')
    .split(',')
    .map((node) => node.trim())
    .filter(Boolean)
    .map((node) => {
      const at = node.lastIndexOf(':');
      return { host: node.slice(0, at).replace(/^\[|\]$/g, ''), port: Number(node.slice(at + 1)) };
    });
}

/** `{ redisUrl }` or `{ redisClusterNodes }`, to spread into `CachingModuleOptions`. */
export function testRedisConnection(): { redisUrl?: string; redisClusterNodes?: RedisNodeAddress[] } {
  return testRedisMode() === 'cluster' ? { redisClusterNodes: testClusterNodes() } : { redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' };
}

/** A plain assertion client on the run's Redis: a `Redis` on one node, a `Cluster` on a cluster. */
export function createTestRedis(): TestRedis {
  if (testRedisMode() === 'cluster') return new Cluster(testClusterNodes(), { scaleReads: 'master', redisOptions: { maxRetriesPerRequest: 1 } });
  return new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
}

/** Waits for a client's first `ready` (a Cluster needs its slot map before commands route). */
export async function testRedisReady(client: TestRedis, timeoutMs = 10_000): Promise<void> {
  if (client.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis not ready: ${client.status}`)), timeoutMs);
    client.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Every node that holds keys: the client itself, or each master of a cluster. */
export function mastersOf(client: TestRedis): Redis[] {
  return client instanceof Cluster ? client.nodes('master') : [client];
}

/** Every key matching `pattern`, with SCAN on each master (never KEYS). */
export async function scanKeys(client: TestRedis, pattern: string): Promise<string[]> {
  const perNode = await Promise.all(mastersOf(client).map((node) => scanNode(node, pattern)));
  return perNode.flat();
}

/** Keys matching `pattern`, counted per master (`host:port` → count). */
export async function keysPerMaster(client: TestRedis, pattern: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const node of mastersOf(client)) counts.set(`${node.options.host}:${node.options.port}`, (await scanNode(node, pattern)).length);
  return counts;
}

async function scanNode(node: Redis, pattern: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1_000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  return keys;
}

/** Deletes keys one by one (a cluster refuses a multi-key DEL across slots). */
export async function deleteKeys(client: TestRedis, keys: string[]): Promise<number> {
  const deleted = await Promise.all(keys.map((key) => client.unlink(key)));
  return deleted.reduce((sum, n) => sum + n, 0);
}

/**
 * `describe`/`it` option that skips a spec in the cluster pass. For specs that only use their
 * own private redis-server or fault proxy: they test the same thing in both passes.
 */
export function singleNodeOnly(reason: string): { skip: string | false } {
  return { skip: testRedisMode() === 'cluster' ? `cluster pass: ${reason}` : false };
}

/** `describe`/`it` option that runs a spec only in the cluster pass. */
export function clusterOnly(reason = 'needs a Redis Cluster'): { skip: string | false } {
  return { skip: testRedisMode() === 'cluster' ? false : `single-node pass: ${reason}` };
}

/** The connection that serves `key`: the client itself, or the master of its slot on a cluster (lazy: `monitor()` on a fresh `Redis` to its address instead). */
export function nodeForKey(client: TestRedis, key: string): Redis {
  if (!(client instanceof Cluster)) return client;
  const slot = calculateSlot(key);
  const [address] = (client.slots[slot] ?? []) as string[];
  const node = client.nodes('master').find((candidate) => `${candidate.options.host}:${candidate.options.port}` === address);
  if (!node) throw new Error(`no master known for slot ${slot}`);
  return node;
}

/** Keys in the database, summed over every master. */
export async function totalKeys(client: TestRedis): Promise<number> {
  const sizes = await Promise.all(mastersOf(client).map((node) => node.dbsize()));
  return sizes.reduce((sum, n) => sum + n, 0);
}
