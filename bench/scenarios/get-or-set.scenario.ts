import { BentoCache, bentostore } from 'bentocache';
import { redisDriver } from 'bentocache/drivers/redis';
import { type CacheManagerStore, createCache, KeyvAdapter } from 'cache-manager';
import { redisInsStore } from 'cache-manager-ioredis-yet';
import { Keyv } from 'keyv';
import { Redis } from 'ioredis';
import pg from 'pg';
import { CacheEngine, CacheMetrics, closeRedisClient, createRedisClient } from '@app/caching';
import type { BenchContext } from '../support/bench-context.js';
import { fmt, fmtSpread, interleaved, pairRatios, spread } from '../support/stats.js';
import type { Scenario, ScenarioResult } from './scenario.js';

const WORKERS = 32;
const HOT_KEYS = 64;
const TTL_MS = 3_600_000;

interface Contender {
  getOrSet(key: string, factory: () => Promise<unknown>): Promise<unknown>;
}

/** 4. `getOrSet` in a plain loop, no HTTP: hit ops/s against bentocache, and factory runs of a cold-key burst. */
export const getOrSetScenario: Scenario = {
  id: 'get-or-set',
  title: '4. getOrSet in process: CPU per hit against a bare GET; ours vs bentocache vs cache-manager',
  async run(context: BenchContext): Promise<ScenarioResult> {
    const s = context.settings;
    const redis = await context.redis();
    const prefix = context.cachePrefix;
    const db = new pg.Pool({ connectionString: context.databaseUrl, max: 10 });
    const ourClient = createRedisClient({ redisUrl: redis.url, keyPrefix: prefix, service: 'bench', commandTimeoutMs: 1_000 });
    const bentoClient = new Redis(redis.url);
    const cmClient = new Redis(redis.url);
    try {
      // The engine has no offline queue (a slow Redis is a miss): wait for the connection like a booting app does.
      if (ourClient.status !== 'ready') await new Promise((resolve) => ourClient.once('ready', resolve));
      const engine = new CacheEngine(ourClient, { keyPrefix: prefix, service: 'bench', commandTimeoutMs: 1_000 }, new CacheMetrics());
      const bento = new BentoCache({
        default: 'redis',
        prefix: `${prefix}bento`,
        stores: { redis: bentostore().useL2Layer(redisDriver({ connection: bentoClient })) },
      });
      const cacheManager = createCache({
        stores: [new Keyv({ store: new KeyvAdapter(redisInsStore(cmClient) as unknown as CacheManagerStore), namespace: `${prefix}cm` })],
      });
      const contenders: Record<'ours' | 'bentocache' | 'cache-manager', Contender> = {
        ours: { getOrSet: (key, factory) => engine.getOrSet(`${prefix}bench:k:${key}`, factory, { ttlMs: TTL_MS }) },
        bentocache: { getOrSet: (key, factory) => bento.getOrSet({ key, factory, ttl: TTL_MS }) },
        'cache-manager': { getOrSet: (key, factory) => cacheManager.wrap(key, factory, TTL_MS) },
      };
      let factoryCalls = 0;
      const loadProduct = (id: number) => async () => {
        factoryCalls++;
        const { rows } = await db.query(`SELECT id, sku, name, category, price_cents, stock FROM catalog.products WHERE id = $1`, [id]);
        return rows[0] ?? null;
      };

      // WORKERS loops for `seconds`, each on its own warm keys (no coalescing of concurrent reads helps anyone); returns the reads made.
      const readLoop = async (read: (key: number) => Promise<unknown>, seconds: number) => {
        const deadline = performance.now() + seconds * 1_000;
        let ops = 0;
        await Promise.all(
          Array.from({ length: WORKERS }, async (_, worker) => {
            for (let i = 0; performance.now() < deadline; i++) {
              await read((worker + i * WORKERS) % HOT_KEYS);
              ops++;
            }
          }),
        );
        return ops;
      };
      const hitOps = async (contender: Contender, seconds: number) =>
        (await readLoop((key) => contender.getOrSet(`hot:${key}`, loadProduct(1)), seconds)) / seconds;
      // CPU per hit in process: getOrSet against the GET + JSON.parse it wraps, on the same connection
      // (the engine's: fail-open settings, so ioredis arms a command timer), and on a default ioredis client.
      const bareProduct = JSON.stringify((await loadProduct(1)()) ?? {});
      for (let key = 0; key < HOT_KEYS; key++) await bentoClient.set(`${prefix}bare:${key}`, bareProduct);
      const readers: Record<'ours' | 'sameClient' | 'defaultClient', (key: number) => Promise<unknown>> = {
        ours: (key) => contenders.ours.getOrSet(`hot:${key}`, loadProduct(1)),
        sameClient: async (key) => JSON.parse((await ourClient.get(`${prefix}bare:${key}`))!) as unknown,
        defaultClient: async (key) => JSON.parse((await bentoClient.get(`${prefix}bare:${key}`))!) as unknown,
      };
      const cpuPerHit = async (read: (key: number) => Promise<unknown>, seconds: number) => {
        const before = process.cpuUsage();
        const ops = await readLoop(read, seconds);
        const cpu = process.cpuUsage(before);
        return (cpu.user + cpu.system) / Math.max(1, ops);
      };

      for (const contender of [contenders.ours, contenders.bentocache]) {
        for (let key = 0; key < HOT_KEYS; key++) await contender.getOrSet(`hot:${key}`, loadProduct(1));
        await hitOps(contender, s.warmupS);
      }
      factoryCalls = 0;
      const runs = await interleaved(['ours', 'bentocache'] as const, s.rounds, (name) => hitOps(contenders[name], s.roundS));
      const hitFactoryCalls = factoryCalls;
      const ratio = pairRatios(runs.ours, runs.bentocache);

      for (const read of Object.values(readers)) await cpuPerHit(read, s.warmupS);
      const cpuRuns = await interleaved(['ours', 'sameClient', 'defaultClient'] as const, s.rounds, (name) => cpuPerHit(readers[name], s.roundS));
      const cpuOverSame = pairRatios(cpuRuns.ours, cpuRuns.sameClient);
      const cpuOverDefault = pairRatios(cpuRuns.ours, cpuRuns.defaultClient);

      // Cold burst: N concurrent callers of one missing key, per contender, fresh key each round.
      const burstRuns = await interleaved(['ours', 'bentocache', 'cache-manager'] as const, Math.min(3, s.rounds), async (name, round) => {
        factoryCalls = 0;
        const key = `cold:${round}`;
        await Promise.all(Array.from({ length: s.stampede }, () => contenders[name].getOrSet(key, loadProduct(1 + round))));
        return factoryCalls;
      });
      await bento.disconnect();
      return {
        id: this.id,
        title: this.title,
        method:
          `One process, no HTTP, the same private redis-server for all. Hit throughput: ${WORKERS} concurrent loops over ${HOT_KEYS} warm keys ` +
          `(each loop its own keys, so in-process coalescing of concurrent reads helps nobody), ${s.rounds} interleaved rounds of ${s.roundS} s. ` +
          'bentocache is configured with its Redis driver only (no in-memory L1, which would not touch Redis at all). ' +
          `CPU per hit: the same loops, this process's user + system CPU (process.cpuUsage) divided by the reads of a round, ` +
          'for getOrSet and for a bare GET + JSON.parse of the same product, once on the engine\'s own connection and once on a ' +
          'default ioredis client. ' +
          `Cold burst: ${s.stampede} concurrent getOrSet calls of one missing key whose factory is a real product query; factory calls counted.`,
        tables: [
          {
            columns: ['', 'hit getOrSet ops/s, median (min–max)'],
            rows: [
              ['ours (CacheEngine.getOrSet)', fmtSpread(spread(runs.ours))],
              ['bentocache getOrSet (Redis L2 only)', fmtSpread(spread(runs.bentocache))],
              ['ours ÷ bentocache (median of pair ratios)', fmtSpread(ratio)],
            ],
          },
          {
            caption: 'CPU per hit in process',
            columns: ['', 'CPU µs per read, median (min–max)'],
            rows: [
              ['ours (CacheEngine.getOrSet, hit)', fmtSpread(spread(cpuRuns.ours))],
              ['bare GET + JSON.parse, same connection (fail-open settings: command timeout)', fmtSpread(spread(cpuRuns.sameClient))],
              ['bare GET + JSON.parse, default ioredis client (no command timeout)', fmtSpread(spread(cpuRuns.defaultClient))],
              ['ours ÷ bare GET, same connection (median of pair ratios)', fmtSpread(cpuOverSame)],
              ['ours ÷ bare GET, default client (median of pair ratios)', fmtSpread(cpuOverDefault)],
            ],
          },
          {
            caption: `factory calls for ${s.stampede} concurrent misses of one key (each round a new key)`,
            columns: ['', 'factory calls per round'],
            rows: (['ours', 'bentocache', 'cache-manager'] as const).map((name) => [
              name === 'cache-manager' ? 'cache-manager wrap()' : name === 'ours' ? 'ours getOrSet' : 'bentocache getOrSet',
              burstRuns[name].join(', '),
            ]),
          },
        ],
        targets: [
          { target: 'CPU per hit: getOrSet ÷ bare GET + JSON.parse on the same connection ≤ 1.15', measured: fmtSpread(cpuOverSame), met: cpuOverSame.median <= 1.15 },
          { target: 'CPU per hit: getOrSet ÷ bare GET + JSON.parse on a default client ≤ 1.15', measured: fmtSpread(cpuOverDefault), met: cpuOverDefault.median <= 1.15 },
          { target: 'ours ÷ bentocache hit ops/s ≥ 1.0', measured: fmtSpread(ratio), met: ratio.median >= 1.0 },
          { target: `factory calls for ${s.stampede} concurrent misses: ours 1`, measured: burstRuns.ours.join(', '), met: burstRuns.ours.every((n) => n === 1) },
        ],
        notes: [`Factory calls during the hit rounds: ${hitFactoryCalls} (every read was a hit).`, `Hit ops/s ours: ${fmt(spread(runs.ours).median)}.`],
        chart: [
          { label: 'getOrSet CPU/hit ÷ bare GET (same connection)', ratio: cpuOverSame, target: { value: 1.15, direction: 'max' } },
          { label: 'getOrSet CPU/hit ÷ bare GET (default client)', ratio: cpuOverDefault, target: { value: 1.15, direction: 'max' } },
          { label: 'getOrSet hit ops/s ours ÷ bentocache', ratio, target: { value: 1.0, direction: 'min' } },
        ],
        figures: {
          oursOps: spread(runs.ours),
          bentoOps: spread(runs.bentocache),
          oursOverBento: ratio,
          cpuUsOurs: spread(cpuRuns.ours),
          cpuUsSameClient: spread(cpuRuns.sameClient),
          cpuUsDefaultClient: spread(cpuRuns.defaultClient),
          cpuOverSameClient: cpuOverSame,
          cpuOverDefaultClient: cpuOverDefault,
          burstOurs: burstRuns.ours,
          burstBento: burstRuns.bentocache,
          burstCacheManager: burstRuns['cache-manager'],
          hitFactoryCalls,
        },
      };
    } finally {
      await closeRedisClient(ourClient);
      bentoClient.disconnect();
      cmClient.disconnect();
      await db.end();
    }
  },
};
