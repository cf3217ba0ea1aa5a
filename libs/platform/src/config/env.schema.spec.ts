import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigValidationError, parseEnv } from './env.schema.js';

describe('parseEnv', () => {
  it('applies the documented defaults when the environment is empty', () => {
    const config = parseEnv({}, 'catalog');
    assert.equal(config.port, 3002);
    assert.equal(config.databaseUrl, 'postgres://postgres@127.0.0.1:5432/test');
    assert.equal(config.redisUrl, 'redis://127.0.0.1:6379');
    assert.equal(config.redisClusterNodes, undefined);
    assert.equal(config.cachePrefix, 'cref:');
    assert.equal(config.httpAdapter, 'fastify');
  });

  it('gives request-serving services a request-sized statement timeout, and the dashboard room for its aggregates', () => {
    assert.equal(parseEnv({}, 'users').databaseStatementTimeoutMs, 1_500);
    assert.equal(parseEnv({}, 'catalog').databaseStatementTimeoutMs, 1_500);
    assert.equal(parseEnv({}, 'dashboard').databaseStatementTimeoutMs, 10_000);
    assert.equal(parseEnv({ DATABASE_STATEMENT_TIMEOUT_MS: '5000' }, 'users').databaseStatementTimeoutMs, 5_000);
  });

  it('parses cluster nodes, including IPv6 hosts, instead of REDIS_URL', () => {
    const config = parseEnv({ REDIS_CLUSTER_NODES: '127.0.0.1:7000, [::1]:7001' }, 'users');
    assert.deepEqual(config.redisClusterNodes, [
      { host: '127.0.0.1', port: 7000 },
      { host: '::1', port: 7001 },
    ]);
    assert.equal(config.redisUrl, undefined);
  });

  const bad: [string, Record<string, string>, RegExp][] = [
    ['a DATABASE_URL that is not a URL', { DATABASE_URL: 'nonsense' }, /^DATABASE_URL must be a URL/],
    ['a DATABASE_URL of another scheme', { DATABASE_URL: 'mysql://h/db' }, /^DATABASE_URL/],
    ['a REDIS_URL of another scheme', { REDIS_URL: 'http://h:6379' }, /^REDIS_URL/],
    ['a port out of range', { PORT: '70000' }, /^PORT must be a whole number/],
    ['a port with letters', { PORT: '30a' }, /^PORT/],
    ['a prefix that could widen a SCAN pattern', { CACHE_PREFIX: 'app*:' }, /^CACHE_PREFIX/],
    ['a prefix that could open a hash tag', { CACHE_PREFIX: '{app}:' }, /^CACHE_PREFIX/],
    ['a prefix without its colon', { CACHE_PREFIX: 'app' }, /^CACHE_PREFIX/],
    ['cluster nodes without ports', { REDIS_CLUSTER_NODES: 'a,b' }, /^REDIS_CLUSTER_NODES/],
    ['both REDIS_URL and REDIS_CLUSTER_NODES', { REDIS_URL: 'redis://h:1', REDIS_CLUSTER_NODES: 'h:2' }, /not both/],
    ['an unknown HTTP adapter', { HTTP_ADAPTER: 'koa' }, /^HTTP_ADAPTER/],
  ];
  it('never echoes a password from a bad URL', () => {
    assert.throws(
      () => parseEnv({ DATABASE_URL: 'mysql://admin:s3cret@db/app' }, 'users'),
      (error: unknown) => error instanceof ConfigValidationError && !error.message.includes('s3cret') && error.message.includes('***'),
    );
  });

  for (const [what, env, message] of bad) {
    it(`rejects ${what} with one line naming the variable`, () => {
      assert.throws(
        () => parseEnv(env, 'users'),
        (error: unknown) => error instanceof ConfigValidationError && message.test(error.message) && !error.message.includes('\n'),
      );
    });
  }
});
