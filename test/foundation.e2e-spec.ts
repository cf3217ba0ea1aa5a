import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { FaultProxy } from './support/fault-proxy.js';
import { freePort } from './support/free-port.js';
import { RedisServer } from './support/redis-server.js';
import { ServiceProcess, type ServiceName } from './support/service-process.js';
import { singleNodeOnly, testRedisMode } from './support/test-redis.js';
import { settlesWithin, waitUntil } from './support/wait.js';

/**
 * The foundation's "done means", against the compiled services as real processes:
 * healthy start, a Redis that is down or silent, a bad DATABASE_URL, and id validation.
 */
const SERVICES: ServiceName[] = ['users', 'catalog', 'dashboard'];
/** A route of each service that reads data (Redis may sit in front of it). */
const DATA_ROUTES: Record<ServiceName, string> = { users: '/users/1', catalog: '/products/1', dashboard: '/stats' };
/** The dashboard has no route taking an id. */
const ID_ROUTES: Partial<Record<ServiceName, string>> = { users: '/users', catalog: '/products' };
const BAD_IDS = ['abc', '1:2', '-1', '9007199254740993'];

const REDIS_COMMAND_TIMEOUT_MS = 250;
const HEALTH_TIMEOUT_MS = 1_000;
const MARGIN_MS = 500;
const FAIL_FAST_ENV = { REDIS_COMMAND_TIMEOUT_MS: String(REDIS_COMMAND_TIMEOUT_MS), HEALTH_TIMEOUT_MS: String(HEALTH_TIMEOUT_MS) };

type Fleet = Record<ServiceName, ServiceProcess>;

interface HealthBody {
  details?: Record<string, { status?: string }>;
}

function healthOf(json: unknown, indicator: string): string | undefined {
  return (json as HealthBody | undefined)?.details?.[indicator]?.status;
}

describe('foundation', () => {
  const processes: ServiceProcess[] = [];
  let redis: RedisServer | undefined;
  let proxy: FaultProxy | undefined;
  let healthy: Fleet;
  let withoutRedis: Fleet;
  let behindProxy: Fleet;
  let badDatabase: ServiceProcess[];

  /** Starts the three services with `env`, all at once; every process is tracked for `after`. */
  async function startFleet(env: Record<string, string>): Promise<Fleet> {
    const results = await Promise.allSettled(
      SERVICES.map((service) =>
        ServiceProcess.start(service, { env, readyTimeoutMs: 30_000 }).then((started) => {
          processes.push(started);
          return started;
        }),
      ),
    );
    const failed = results.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
    return Object.fromEntries(SERVICES.map((service, index) => [service, (results[index] as PromiseFulfilledResult<ServiceProcess>).value])) as Fleet;
  }

  /** A service answers HTTP before its Redis is connected (a cluster client needs its slot map): wait for 200. */
  async function waitHealthy(fleet: Fleet): Promise<Fleet> {
    for (const service of SERVICES) {
      await waitUntil(async () => (await fleet[service].request('/health')).status === 200, { timeoutMs: 10_000, what: `${service} healthy` });
    }
    return fleet;
  }

  before(async () => {
    badDatabase = await Promise.all(SERVICES.map((service) => ServiceProcess.spawn(service, { env: { DATABASE_URL: 'nonsense' } })));
    processes.push(...badDatabase);
    // The cluster pass starts only the healthy fleet (on the cluster): the Redis faults below use private servers.
    if (testRedisMode() === 'cluster') {
      healthy = await waitHealthy(await startFleet({}));
      return;
    }
    redis = await RedisServer.start();
    proxy = await FaultProxy.start({ targetPort: redis.port });
    const closedPort = await freePort();
    [healthy, withoutRedis, behindProxy] = await Promise.all([
      startFleet({}).then(waitHealthy),
      startFleet({ ...FAIL_FAST_ENV, REDIS_URL: `redis://127.0.0.1:${closedPort}` }),
      startFleet({ ...FAIL_FAST_ENV, REDIS_URL: proxy.redisUrl }),
    ]);
  });

  after(async () => {
    await Promise.all(processes.map((service) => service.kill()));
    await proxy?.close();
    await redis?.close();
  });

  describe('healthy services', () => {
    for (const service of SERVICES) {
      test(`${service}: /health is 200 with database and redis up, /metrics is Prometheus text, /docs answers`, async () => {
        const app = healthy[service];
        const health = await app.request('/health');
        assert.equal(health.status, 200, `${health.text}\n${app.output}`);
        assert.equal(healthOf(health.json, 'database'), 'up');
        assert.equal(healthOf(health.json, 'redis'), 'up');

        const metrics = await app.request('/metrics');
        assert.equal(metrics.status, 200);
        assert.match(metrics.headers.get('content-type') ?? '', /^text\/plain/);
        assert.match(metrics.text, /^# TYPE \w+ (counter|gauge|histogram|summary)$/m);

        const docs = await app.request('/docs');
        assert.equal(docs.status, 200);
        assert.match(docs.headers.get('content-type') ?? '', /text\/html/);
      });
    }
  });

  describe('Redis refusing connections', singleNodeOnly('a closed port, the same in both passes'), () => {
    for (const service of SERVICES) {
      test(`${service}: starts, /health is 503 with redis down, ${DATA_ROUTES[service]} answers within 1 s`, async () => {
        const app = withoutRedis[service];
        const health = await app.request('/health');
        assert.equal(health.status, 503, health.text);
        assert.equal(healthOf(health.json, 'redis'), 'down');
        assert.equal(healthOf(health.json, 'database'), 'up');

        const data = await app.request(DATA_ROUTES[service]);
        assert.ok(data.status < 500, `${DATA_ROUTES[service]} answered ${data.status}: ${data.text}`);
        assert.ok(data.elapsedMs < 1_000, `${DATA_ROUTES[service]} took ${Math.round(data.elapsedMs)} ms`);
      });
    }
  });

  describe('Redis silent (blackholed after connecting)', singleNodeOnly('a private redis-server behind a fault proxy, the same in both passes'), () => {
    before(async () => {
      for (const service of SERVICES) {
        const health = await behindProxy[service].request('/health');
        assert.equal(health.status, 200, `${service} was not healthy through the proxy: ${health.text}`);
      }
      await proxy!.setMode('blackhole');
    });

    for (const service of SERVICES) {
      test(`${service}: /health is 503 within the health timeout, ${DATA_ROUTES[service]} within the command timeout`, async () => {
        const app = behindProxy[service];
        const health = await app.request('/health');
        assert.equal(health.status, 503, health.text);
        assert.equal(healthOf(health.json, 'redis'), 'down');
        assert.ok(health.elapsedMs < HEALTH_TIMEOUT_MS + MARGIN_MS, `/health took ${Math.round(health.elapsedMs)} ms`);

        const data = await app.request(DATA_ROUTES[service]);
        assert.ok(data.status < 500, `${DATA_ROUTES[service]} answered ${data.status}: ${data.text}`);
        assert.ok(
          data.elapsedMs < REDIS_COMMAND_TIMEOUT_MS + MARGIN_MS,
          `${DATA_ROUTES[service]} took ${Math.round(data.elapsedMs)} ms with Redis silent`,
        );
      });
    }
  });

  test('DATABASE_URL=nonsense: every service exits non-zero within 10 s with one line naming DATABASE_URL', async () => {
    for (const app of badDatabase) {
      assert.ok(await settlesWithin(app.exited(), 10_000), `${app.service} still runs with a bad DATABASE_URL`);
      const { code } = await app.exited();
      assert.notEqual(code, 0, `${app.service} exited with ${code}`);
      const lines = app.stderr.split('\n').filter((line) => line.trim() !== '');
      assert.equal(lines.length, 1, `${app.service} stderr:\n${app.stderr}`);
      assert.match(lines[0], /DATABASE_URL/);
    }
  });

  describe('id validation', () => {
    for (const [service, route] of Object.entries(ID_ROUTES) as [ServiceName, string][]) {
      for (const id of BAD_IDS) {
        test(`${service}: GET ${route}/${id} is 400 with a message about the id`, async () => {
          const response = await healthy[service].request(`${route}/${id}`);
          assert.equal(response.status, 400, response.text);
          const message = JSON.stringify((response.json as { message?: unknown } | undefined)?.message ?? '');
          assert.match(message, /\bid\b.*integer/i);
        });
      }
    }
  });
});
