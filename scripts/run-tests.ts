import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { globSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { parseEnv } from '@app/platform';
import { deleteKeysWithPrefix } from '../test/support/redis-keys.js';
import { createTestDatabase, dropTestDatabase } from '../test/support/test-database.js';
import { migrateAll } from './migrate.js';

/**
 * `npm test`: unit specs (beside the sources) and e2e specs (test/), with node's own
 * test runner over the tsc build. The run gets a private database (created, migrated,
 * dropped) and a private key prefix, so it never touches anyone else's data.
 *
 *   node dist/scripts/run-tests.js [unit|e2e] [name-filter]
 */
const [kind = 'all', filter = ''] = process.argv.slice(2);
const unit = globSync('dist/{apps,libs,scripts}/**/*.spec.js');
const e2e = globSync('dist/test/**/*.e2e-spec.js');
const files = [...(kind !== 'e2e' ? unit : []), ...(kind !== 'unit' ? e2e : [])].filter((f) => f.includes(filter)).sort();
if (files.length === 0) {
  console.error(`no ${kind === 'all' ? '' : `${kind} `}test files match "${filter}" (did the build run?)`);
  process.exit(1);
}

const base = parseEnv(process.env, 'users');
const runId = `${process.pid}${randomBytes(2).toString('hex')}`;
const database = await createTestDatabase(base.databaseUrl, `cref_test_${runId}`);
const cachePrefix = `t${runId}:`;
let code: number;
try {
  await migrateAll(database.url);
  code = await new Promise<number>((resolve) => {
    const child = spawn(
      process.execPath,
      ['--test', '--test-reporter=spec', `--test-concurrency=${Math.max(2, availableParallelism())}`, ...files],
      {
        stdio: 'inherit',
        env: { ...process.env, DATABASE_URL: database.url, CACHE_PREFIX: cachePrefix, NODE_ENV: 'test' },
      },
    );
    child.on('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? 1 : 0)));
  });
} finally {
  await dropTestDatabase(base.databaseUrl, database.name);
  await deleteKeysWithPrefix(base.redisUrl ?? 'redis://127.0.0.1:6379', cachePrefix).catch(() => undefined);
}
process.exit(code);
