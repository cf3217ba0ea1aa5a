import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { FaultProxy } from '../support/fault-proxy.js';
import { fileKeyPrefix } from '../support/key-prefix.js';
import { RedisServer } from '../support/redis-server.js';
import { metricValue } from '../support/service-app.js';
import { ServiceProcess } from '../support/service-process.js';
import { delay, waitUntil } from '../support/wait.js';
import { between, constantRate, describeSamples, hitRatio, percentile, type Sample } from './fault-load.js';

/**
 * Redis faults under load, against the users service as a real process whose Redis is a
 * private redis-server behind the fault proxy. Durations are scaled down from minutes to
 * seconds (see docs/reliability.md); the rate (200 requests/s) and the pass criteria are not.
 */
const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const RPS = 200;
const COMMAND_TIMEOUT_MS = 250;
const SLOW_COMMAND_TIMEOUT_MS = 100;
const USERS = 400;
/** Windows of each outage run (ms since its start): healthy, fault, healed. */
const FAULT_AT_MS = 1_000;
const HEAL_AT_MS = 4_000;
const RUN_MS = 8_000;
/** The hit ratio counts as recovered once a 500 ms window is at least this. */
const RECOVERED_HIT_RATIO = 0.9;

const report = (line: string) => console.log(`[reliability] ${line}`);

async function insertUsers(count: number): Promise<number[]> {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const tag = randomBytes(4).toString('hex');
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO users.users (name, email) SELECT 'Fault ' || g, 'fault-' || $1 || '-' || g || '@example.com' FROM generate_series(1, $2) g RETURNING id`,
      [tag, count],
    );
    return rows.map((row) => Number(row.id));
  } finally {
    await db.end();
  }
}

/** First time after `fromMs` at which a 500 ms window of samples reaches the recovered hit ratio (ms after `fromMs`). */
function recoveryMs(samples: Sample[], fromMs: number): number | undefined {
  for (let start = fromMs; start + 500 <= RUN_MS; start += 100) {
    const window = between(samples, start, start + 500);
    if (window.length && hitRatio(window) >= RECOVERED_HIT_RATIO) return start - fromMs;
  }
  return undefined;
}

interface Memory {
  rss: number;
  heap: number;
}

async function memoryOf(service: ServiceProcess): Promise<Memory> {
  const { text } = await service.request('/metrics');
  return { rss: metricValue(text, 'process_resident_memory_bytes'), heap: metricValue(text, 'nodejs_heap_size_used_bytes') };
}

/** The `n` slowest samples as `elapsed@sent` (ms, sent relative to the fault's start). */
const slowest = (samples: Sample[], n: number) =>
  [...samples]
    .sort((a, b) => b.elapsedMs - a.elapsedMs)
    .slice(0, n)
    .map((s) => `${s.elapsedMs.toFixed(0)}@${(s.sentAtMs - FAULT_AT_MS).toFixed(0)}`)
    .join(' ');

/**
 * A second of cold reads of users nobody read before, at the test's rate: compiles the process's
 * database path and opens its pool connections, so what follows measures neither.
 */
async function warmUp(target: ServiceProcess): Promise<void> {
  const fresh = await insertUsers(RPS);
  const cold = await constantRate({ rps: RPS, durationMs: 1_000, send: (i) => fetch(`${target.url}/users/${fresh[i]}`) });
  assert.ok(cold.every((s) => s.status === 200 && s.xCache === 'MISS'), `warm-up: ${describeSamples(cold)}`);
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

describe('users service under Redis faults at 200 requests/s (real process, private Redis behind the fault proxy)', () => {
  let redis: RedisServer;
  let proxy: FaultProxy;
  let service: ServiceProcess;
  let ids: number[];
  /** p99 of requests that all missed the cache (Postgres read + cache write), measured on this machine in this run. */
  let uncachedP99 = 0;
  const prefix = fileKeyPrefix();

  const load = (durationMs: number, target = service) =>
    constantRate({ rps: RPS, durationMs, send: (i) => fetch(`${target.url}/users/${ids[i % ids.length]}`, { signal: AbortSignal.timeout(5_000) }) });

  before(async () => {
    redis = await RedisServer.start();
    proxy = await FaultProxy.start({ targetPort: redis.port });
    ids = await insertUsers(USERS);
    service = await ServiceProcess.start('users', {
      env: { REDIS_URL: proxy.redisUrl, CACHE_PREFIX: prefix, REDIS_COMMAND_TIMEOUT_MS: String(COMMAND_TIMEOUT_MS) },
    });
    // Other users first, to warm the process up; then each of the 400 users once, cold: the
    // uncached latency at this rate.
    await warmUp(service);
    const cold = await load((USERS / RPS) * 1_000);
    assert.ok(cold.every((s) => s.status === 200 && s.xCache === 'MISS'), describeSamples(cold));
    uncachedP99 = percentile(cold.map((s) => s.elapsedMs), 99);
    report(`users uncached baseline: ${describeSamples(cold)}`);
  });

  after(async () => {
    await service?.stop();
    await proxy?.close();
    await redis?.close();
  });

  async function outage(name: string, fault: () => Promise<void>, heal: () => Promise<void>): Promise<Sample[]> {
    const warm = await load(500);
    assert.ok(hitRatio(warm) > 0.95, `not warm before the fault: ${describeSamples(warm)}`);
    const run = load(RUN_MS);
    await delay(FAULT_AT_MS);
    await fault();
    await delay(HEAL_AT_MS - FAULT_AT_MS);
    await heal();
    const samples = await run;
    const during = between(samples, FAULT_AT_MS + 50, HEAL_AT_MS);
    const recovered = recoveryMs(samples, HEAL_AT_MS);
    report(`${name}: whole run ${describeSamples(samples)}`);
    report(`${name}: during the fault ${describeSamples(during)}; hit ratio recovered (≥ ${RECOVERED_HIT_RATIO * 100} % over 500 ms) ${recovered ?? 'never'} ms after healing`);

    const failed = samples.filter((s) => s.status !== 200);
    assert.deepEqual(failed, [], `${failed.length} requests did not answer 200: ${describeSamples(samples)}`);
    const p99 = percentile(during.map((s) => s.elapsedMs), 99);
    assert.ok(p99 <= COMMAND_TIMEOUT_MS + uncachedP99, `p99 during the fault ${p99.toFixed(1)} ms > ${COMMAND_TIMEOUT_MS} + ${uncachedP99.toFixed(1)} ms`);
    assert.ok(hitRatio(during) < 0.5, `the fault did not take the cache away: ${describeSamples(during)}`);
    assert.notEqual(recovered, undefined, `the hit ratio did not recover without a restart: ${describeSamples(between(samples, HEAL_AT_MS, RUN_MS))}`);
    return samples;
  }

  it('Redis stopped: every request answers 200, p99 within the command timeout plus the uncached p99, hits return after Redis restarts', async () => {
    await outage(
      'redis stopped',
      () => redis.stop(),
      () => redis.restart(),
    );
  });

  it('Redis black-holed: the same, and the service neither queues commands per request nor grows its memory', async () => {
    const errorsBefore = metricValue((await service.request('/metrics')).text, 'cache_errors_total');
    const before = await memoryOf(service);
    let during: Memory = before;
    await outage(
      'redis black-holed',
      () => proxy.setMode('blackhole'),
      async () => {
        during = await memoryOf(service);
        await proxy.setMode('pass');
      },
    );
    const afterwards = await memoryOf(service);
    const errors = metricValue((await service.request('/metrics')).text, 'cache_errors_total') - errorsBefore;
    const requestsDuringFault = (RPS * (HEAL_AT_MS - FAULT_AT_MS)) / 1_000;
    report(
      `redis black-holed: memory before ${mb(before.rss)} rss / ${mb(before.heap)} heap, at the end of the fault ${mb(during.rss)} / ${mb(during.heap)}, after ${mb(afterwards.rss)} / ${mb(afterwards.heap)}; ${errors} failed cache commands for ${requestsDuringFault} requests`,
    );
    // The circuit breaker sends one probe a second instead of a command per request.
    assert.ok(errors < requestsDuringFault / 10, `${errors} cache commands failed during ${requestsDuringFault} requests: one per request reaches Redis`);
    // A coarse bound: heap used includes garbage not yet collected (it moves by tens of MB under
    // load with or without a fault). The exact proof of "no queue per request" is the count above.
    assert.ok(during.heap - before.heap < 128 * 1024 * 1024, `heap grew by ${mb(during.heap - before.heap)} during the black hole`);
    assert.ok(during.rss - before.rss < 128 * 1024 * 1024, `rss grew by ${mb(during.rss - before.rss)} during the black hole`);
  });

  it('a profile renamed while Redis is unreachable (it keeps its data) is never served stale once Redis is back', async () => {
    const id = ids[USERS - 1];
    const cached = await waitUntil(async () => {
      const read = await service.request(`/users/${id}`);
      return read.headers.get('x-cache') === 'HIT' && (read.json as { name: string }).name;
    }, { timeoutMs: 5_000, what: 'a cached profile' });
    const renamed = `${cached} renamed`;
    await proxy.setMode('refuse');
    try {
      const put = await service.request(`/users/${id}`, { method: 'PUT', body: { name: renamed } });
      assert.equal(put.status, 200, put.text);
      const during = await service.request(`/users/${id}`);
      assert.deepEqual([during.headers.get('x-cache'), (during.json as { name: string }).name], ['BYPASS', renamed]);
    } finally {
      await proxy.setMode('pass');
    }
    // Redis kept the old profile; the write-through that would have replaced it never reached it.
    // Every read from now on must see the new name, and the cache must serve it again.
    const reads: string[] = [];
    await waitUntil(async () => {
      const read = await service.request(`/users/${id}`);
      reads.push(`${read.headers.get('x-cache')} ${(read.json as { name: string }).name}`);
      return read.headers.get('x-cache') === 'HIT';
    }, { timeoutMs: 10_000, what: 'a hit after Redis came back' });
    assert.deepEqual(reads.filter((read) => !read.endsWith(renamed)), [], `stale reads after healing: ${reads.join(', ')}`);
    report(`missed invalidation: ${reads.length} reads after healing until a hit, ${new Set(reads).size} distinct (${[...new Set(reads)].join(', ')})`);
  });

  it('a corrupt entry stored at a profile key is a miss, is overwritten, and never a 500', async () => {
    const raw = redis.client();
    try {
      for (const [n, corrupt] of ['not a cache entry', '7|{"v":{"id":', '3|[1,2,3]', Buffer.from([0xff, 0xfe, 0x00, 0x7c, 0x01])].entries()) {
        const id = ids[n];
        const key = `${prefix}users:user:{${id}}:profile`;
        await raw.set(key, corrupt);
        const first = await service.request(`/users/${id}`);
        assert.equal(first.status, 200, first.text);
        assert.equal((first.json as { id: number }).id, id);
        assert.equal(first.headers.get('x-cache'), 'MISS', `corrupt value #${n}`);
        const stored = await raw.get(key);
        assert.match(stored ?? '', /^\d+\|\{/, `corrupt value #${n} was not overwritten: ${stored}`);
        const second = await service.request(`/users/${id}`);
        assert.equal(second.headers.get('x-cache'), 'HIT', `corrupt value #${n}: no hit after the overwrite`);
      }
    } finally {
      raw.disconnect();
    }
  });

  it('Redis slow (200 ms added by the proxy, 100 ms command timeout): cache calls time out and Postgres answers', async () => {
    const slow = await ServiceProcess.start('users', {
      env: { REDIS_URL: proxy.redisUrl, CACHE_PREFIX: prefix, REDIS_COMMAND_TIMEOUT_MS: String(SLOW_COMMAND_TIMEOUT_MS) },
    });
    try {
      // Warmed like the first process before its baseline: the fault sends every request down the
      // database path, which a fresh process has not yet compiled nor opened pool connections for.
      await warmUp(slow);
      await waitUntil(async () => (await slow.request(`/users/${ids[0]}`)).headers.get('x-cache') === 'HIT', { timeoutMs: 5_000, what: 'a hit' });
      const queriesBefore = metricValue((await slow.request('/metrics')).text, 'db_queries_total', { table: 'users.users' });
      const run = load(RUN_MS, slow);
      await delay(FAULT_AT_MS);
      await proxy.setMode('latency', { latencyMs: 200 });
      await delay(HEAL_AT_MS - FAULT_AT_MS);
      await proxy.setMode('pass');
      const samples = await run;
      const metrics = (await slow.request('/metrics')).text;
      const queries = metricValue(metrics, 'db_queries_total', { table: 'users.users' }) - queriesBefore;
      const during = between(samples, FAULT_AT_MS + 50, HEAL_AT_MS);
      const recovered = recoveryMs(samples, HEAL_AT_MS);
      report(`redis slow: whole run ${describeSamples(samples)}`);
      report(`redis slow: during the fault ${describeSamples(during)}; ${queries} Postgres reads; hit ratio recovered ${recovered ?? 'never'} ms after healing`);
      report(`redis slow: slowest during the fault ${slowest(during, 10)}`);

      assert.deepEqual(samples.filter((s) => s.status !== 200), [], describeSamples(samples));
      const p99 = percentile(during.map((s) => s.elapsedMs), 99);
      assert.ok(p99 <= SLOW_COMMAND_TIMEOUT_MS + uncachedP99, `p99 during the slowness ${p99.toFixed(1)} ms > ${SLOW_COMMAND_TIMEOUT_MS} + ${uncachedP99.toFixed(1)} ms`);
      assert.ok(metricValue(metrics, 'cache_errors_total', { operation: 'get' }) > 0, 'no cache read timed out');
      assert.ok(during.filter((s) => s.xCache === 'BYPASS').length > during.length * 0.8, `the database did not answer: ${describeSamples(during)}`);
      assert.ok(queries >= during.length * 0.8, `${queries} Postgres reads for ${during.length} requests served without the cache`);
      assert.notEqual(recovered, undefined, 'hits did not return once Redis was fast again');
    } finally {
      await slow.stop();
    }
  });
});
