import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Redis } from 'ioredis';
import { fileKeyPrefix } from '../support/key-prefix.js';
import { ServiceProcess } from '../support/service-process.js';
import { scanKeys, sharedRedis, type TestUser, userWithSession } from './hostile-support.js';

const report = (line: string) => console.log(`[reliability] ${line}`);

describe('cross-user isolation of the private /me cache (users as a real process)', () => {
  const prefix = fileKeyPrefix();
  let users: ServiceProcess;
  let redis: Redis;
  let ada: TestUser;
  let bob: TestUser;

  before(async () => {
    users = await ServiceProcess.start('users', { env: { CACHE_PREFIX: prefix } });
    redis = sharedRedis();
    [ada, bob] = await Promise.all([userWithSession(users, 'Ada'), userWithSession(users, 'Bob')]);
  });
  after(async () => {
    redis?.disconnect();
    await users?.stop();
  });

  it('two users hammering /me concurrently (cold and warm) only ever see their own data, sent as Cache-Control: private', async () => {
    const rounds = 3;
    let served = 0;
    const outcomes = new Map<string, number>();
    for (let round = 0; round < rounds; round++) {
      // each round starts cold for both: a write drops their private entries (tag invalidation)
      await Promise.all([ada, bob].map((u) => users.request(`/users/${u.id}`, { method: 'PUT', body: { name: `${u.name} ${round}` } })));
      const responses = await Promise.all(
        Array.from({ length: 300 }, (_, i) => (i % 2 ? ada : bob)).map(async (user) => ({
          user,
          response: await users.request('/me', { headers: { authorization: `Bearer ${user.token}` } }),
        })),
      );
      for (const { user, response } of responses) {
        assert.equal(response.status, 200, response.text);
        const body = response.json as { id: number; email: string; name: string };
        assert.equal(body.id, user.id, `${user.name} was served user ${body.id}`);
        assert.equal(body.email, user.email);
        assert.equal(body.name, `${user.name} ${round}`);
        assert.match(response.headers.get('cache-control') ?? '', /^private\b/);
        assert.match(response.headers.get('vary') ?? '', /Authorization/i);
        const outcome = response.headers.get('x-cache') ?? 'none';
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
        served += 1;
      }
      // The burst may coalesce into one fill per user (every caller MISS): the warm read must be a HIT, and still theirs.
      for (const user of [ada, bob]) {
        const warm = await users.request('/me', { headers: { authorization: `Bearer ${user.token}` } });
        assert.equal(warm.headers.get('x-cache'), 'HIT');
        assert.equal((warm.json as { id: number }).id, user.id, `${user.name} was served user ${(warm.json as { id: number }).id} from the cache`);
        outcomes.set('HIT', (outcomes.get('HIT') ?? 0) + 1);
        served += 1;
      }
    }
    report(`cross-user: ${served} concurrent /me responses for two users over ${rounds} cold starts, 0 crossed; X-Cache ${JSON.stringify(Object.fromEntries(outcomes))}`);
    assert.ok((outcomes.get('HIT') ?? 0) > 0, 'the private cache was never used: the test proves nothing');
  });

  it("stores /me only under its owner's private key, never under a shared one, and never stores a bearer token", async () => {
    const keys = await scanKeys(redis, prefix);
    const values = await Promise.all(keys.map(async (key) => ((await redis.type(key)) === 'string' ? ((await redis.get(key)) ?? '') : '')));
    const httpKeys = keys.filter((key) => /:http(-private)?:/.test(key));
    assert.ok(httpKeys.length >= 2, `no HTTP cache entries found: ${keys.join(', ')}`);
    for (const [i, key] of keys.entries()) {
      for (const user of [ada, bob]) {
        assert.ok(!key.includes(user.token) && !values[i].includes(user.token), `a bearer token is stored at ${key}`);
        // A stored /me response (an HTTP entry holding the user's email) must be that user's private entry.
        if (/:http(-private)?:/.test(key) && values[i].includes(user.email)) {
          assert.ok(key.startsWith(`${prefix}users:http-private:${user.id}:`), `${user.name}'s /me response is stored under ${key}`);
        }
      }
      assert.ok(!/:http:/.test(key), `a public HTTP entry exists: ${key}`);
    }
    report(`cross-user: ${keys.length} keys scanned, ${httpKeys.length} HTTP entries, all private to their owner; no token stored`);
  });

  it('a request with credentials to a public route is not stored under a shared HTTP key', async () => {
    const response = await users.request(`/users/${ada.id}`, { headers: { authorization: `Bearer ${bob.token}` } });
    assert.equal(response.status, 200);
    assert.ok(!(await scanKeys(redis, `${prefix}users:http:`)).length);
  });
});
