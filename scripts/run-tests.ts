import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { globSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { parseEnv } from '@app/platform';
import { RedisCluster } from '../test/support/redis-cluster.js';
import { deleteKeysWithPrefix } from '../test/support/redis-keys.js';
import { createTestDatabase, dropTestDatabase } from '../test/support/test-database.js';
import { migrateAll } from './migrate.js';

/**
 * `npm test`: unit specs (beside the sources) and e2e specs (test/), with node's own
 * test runner over the tsc build. The run gets a private database (created, migrated,
 * dropped) and a private key prefix, so it never touches anyone else's data.
 *
 * With `--cluster` (or `TEST_REDIS_MODE=cluster`) the run starts ONE private Redis Cluster
 * (3 masters, 3 replicas on free ports), hands it to every test process as
 * `REDIS_CLUSTER_NODES` (and no `REDIS_URL`), and stops it at the end.
 *
 *   node dist/scripts/run-tests.js [unit|e2e] [name-filter] [--cluster]
 */
/** The longest one invocation may run; the whole suite takes a few minutes. */
const RUN_TIMEOUT_MS = Number(process.env.TEST_RUN_TIMEOUT_MS ?? 15 * 60_000);
const args = process.argv.slice(2);
const cluster = args.includes('--cluster') || process.env.TEST_REDIS_MODE === 'cluster';
const [kind = 'all', filter = ''] = args.filter((arg) => arg !== '--cluster');
const unit = globSync('dist/{apps,libs,scripts}/**/*.spec.js');
const e2e = globSync('dist/test/**/*.e2e-spec.js');
/**
 * Specs the cluster pass leaves out: they never touch the run's Redis (their own private
 * redis-server, fault proxy or cluster, or no Redis at all), so a second pass would test the same thing.
 */
const SINGLE_PASS_ONLY: Record<string, string> = {
  'test/infra/': 'test-support self-tests (private servers, proxies, clusters)',
  'test/faults/': 'faults injected into private redis-servers',
  'test/hostile/': 'hostile input and faults on private servers',
  'test/seed.e2e-spec': 'Postgres only',
  'test/compose.e2e-spec': 'parses docker-compose.yml, no Redis',
  'test/dashboard/dashboard-faults.e2e-spec': 'Redis down: a closed port',
  'test/write-behind/write-behind-redis-down.e2e-spec': 'crashes a private redis-server',
  'test/invalidation/pg-change-listener.e2e-spec': 'Postgres only',
  'test/bench-smoke.e2e-spec': 'benchmarks run on one node',
  'test/write-behind/write-behind-startup.e2e-spec': 'a fault proxy in front of the shared single node',
};
/** Specs that measure latency or throughput under load: run one at a time, after the rest. */
const TIMING_SENSITIVE = ['test/faults/', 'test/hostile/', 'test/scale-out/', 'test/bench-smoke.e2e-spec'];
const skipped = (file: string) => cluster && Object.keys(SINGLE_PASS_ONLY).some((path) => file.includes(path));
const files = [...(kind !== 'e2e' ? unit : []), ...(kind !== 'unit' ? e2e : [])].filter((f) => f.includes(filter) && !skipped(f)).sort();
if (files.length === 0) {
  console.error(`no ${kind === 'all' ? '' : `${kind} `}test files match "${filter}" (did the build run?)`);
  process.exit(1);
}

const base = parseEnv(process.env, 'users');
const runId = `${process.pid}${randomBytes(2).toString('hex')}`;
const database = await createTestDatabase(base.databaseUrl, `cref_test_${runId}`);
const cachePrefix = `t${runId}:`;
let redisCluster: RedisCluster | undefined;
let code: number;
try {
  const redisEnv: Record<string, string | undefined> = {};
  if (cluster) {
    const startedAt = performance.now();
    redisCluster = await RedisCluster.start();
    redisEnv.REDIS_CLUSTER_NODES = redisCluster.redisClusterNodes;
    redisEnv.REDIS_URL = undefined;
    for (const [path, reason] of Object.entries(SINGLE_PASS_ONLY)) console.log(`cluster pass skips ${path}: ${reason}`);
    console.log(`Redis Cluster for this run: ${redisCluster.redisClusterNodes} (ready in ${Math.round(performance.now() - startedAt)} ms)`);
  }
  const env: Record<string, string | undefined> = { ...process.env, DATABASE_URL: database.url, CACHE_PREFIX: cachePrefix, NODE_ENV: 'test', ...redisEnv };
  for (const [name, value] of Object.entries(env)) if (value === undefined) delete env[name];
  await migrateAll(database.url);
  // Specs that measure latency under load (p99s at a fixed request rate) get the machine to themselves.
  const serial = files.filter((file) => TIMING_SENSITIVE.some((path) => file.includes(path)));
  const parallel = files.filter((file) => !serial.includes(file));
  code = 0;
  if (parallel.length) code = await runNodeTest(parallel, Math.max(2, availableParallelism()), env);
  if (serial.length) code = Math.max(code, await runNodeTest(serial, 1, env));
} finally {
  await dropTestDatabase(base.databaseUrl, database.name);
  if (redisCluster) await redisCluster.close();
  else await deleteKeysWithPrefix(base.redisUrl ?? 'redis://127.0.0.1:6379', cachePrefix).catch(() => undefined);
}
process.exit(code);

// --test-force-exit: a test file's process ends once its tests have, even if a client it forgot to
// close (a cluster client's slot-refresh timer) would keep it alive; the watchdog covers the rest.
function runNodeTest(testFiles: string[], concurrency: number, env: Record<string, string | undefined>): Promise<number> {
  return new Promise<number>((resolve) => {
    const child = spawn(
      process.execPath,
      ['--test', '--test-reporter=spec', `--test-concurrency=${concurrency}`, '--test-timeout=180000', '--test-force-exit', ...testFiles],
      // its own process group, so the watchdog can end every test process and whatever they spawned
      { stdio: 'inherit', env, detached: true },
    );
    // A leaked child process (a worker a failed test never killed) keeps its test file alive and
    // the run would wait forever: after RUN_TIMEOUT_MS the whole group is killed and the run fails.
    const watchdog = setTimeout(() => {
      console.error(`test run exceeded ${RUN_TIMEOUT_MS} ms: killing its processes (a test left a process running?)`);
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, RUN_TIMEOUT_MS);
    child.on('exit', (exitCode, signal) => {
      clearTimeout(watchdog);
      resolve(exitCode ?? (signal ? 1 : 0));
    });
  });
}
