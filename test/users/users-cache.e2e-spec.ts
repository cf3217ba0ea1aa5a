import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { getRepositoryToken } from '@nestjs/typeorm';
import { CacheEventPublisher } from '@app/caching';
import { EVENT_STREAMS, ORDER_CREATED, type OrderCreatedPayload } from '@app/contracts';
import type { Repository } from 'typeorm';
import { AppModule } from '../../apps/users/src/app.module.js';
import { User } from '../../apps/users/src/users/user.entity.js';
import { httpRequest } from '../support/http.js';
import { monitorRedis } from '../support/redis-monitor.js';
import { metricValue, type RunningApp, startServiceApp } from '../support/service-app.js';
import { createTestRedis, nodeForKey, scanKeys, type TestRedis, testRedisReady, totalKeys } from '../support/test-redis.js';

const unique = () => randomBytes(4).toString('hex');

describe('users service caching (in-process app, real Postgres and Redis)', () => {
  let svc: RunningApp;
  let redis: TestRedis;
  const userSelects = async () =>
    metricValue((await httpRequest(`${svc.url}/metrics`)).text, 'db_queries_total', { operation: 'select', table: 'users.users' });
  const createUser = async (name = 'Ada') => {
    const response = await httpRequest(`${svc.url}/users`, { method: 'POST', body: { name, email: `${name.toLowerCase()}-${unique()}@example.com` } });
    assert.equal(response.status, 201, response.text);
    return response.json as { id: number; name: string; email: string };
  };
  /** Forgets the cached profile, as a cold cache would. */
  const coldProfile = (id: number) => redis.unlink(`${svc.keyPrefix}users:user:{${id}}:profile`);

  before(async () => {
    svc = await startServiceApp(AppModule);
    redis = createTestRedis();
    await testRedisReady(redis);
  });
  after(async () => {
    redis.disconnect();
    await svc.close();
  });

  it('reads a profile from Postgres once: MISS, then HIT', async () => {
    const user = await createUser();
    await coldProfile(user.id);
    const before = await userSelects();
    const first = await httpRequest(`${svc.url}/users/${user.id}`);
    const second = await httpRequest(`${svc.url}/users/${user.id}`);
    assert.deepEqual([first.headers.get('x-cache'), second.headers.get('x-cache')], ['MISS', 'HIT']);
    assert.deepEqual(second.json, first.json);
    assert.equal((await userSelects()) - before, 1);
  });

  it('serves the new data from the cache right after PUT (write-through)', async () => {
    const user = await createUser();
    await httpRequest(`${svc.url}/users/${user.id}`);
    const updated = await httpRequest(`${svc.url}/users/${user.id}`, { method: 'PUT', body: { name: 'Ada King' } });
    assert.equal(updated.status, 200);
    const before = await userSelects();
    const read = await httpRequest(`${svc.url}/users/${user.id}`);
    assert.equal(read.headers.get('x-cache'), 'HIT');
    assert.equal((read.json as { name: string }).name, 'Ada King');
    assert.equal((await userSelects()) - before, 0);
  });

  it('after DELETE answers 404 and no list page shows the user', async () => {
    const user = await createUser();
    const pageOf = async () => {
      for (let page = 1; page <= 1_000; page++) {
        const { json } = await httpRequest(`${svc.url}/users?page=${page}&limit=100`);
        const { items } = json as { items: { id: number }[] };
        if (items.some((item) => item.id === user.id)) return page;
        if (items.length < 100) return undefined;
      }
      return undefined;
    };
    const page = await pageOf();
    assert.ok(page, 'the user is listed before the delete');
    const cachedPage = await httpRequest(`${svc.url}/users?page=${page}&limit=100`);
    assert.equal(cachedPage.headers.get('x-cache'), 'HIT');
    assert.equal((await httpRequest(`${svc.url}/users/${user.id}`, { method: 'DELETE' })).status, 204);
    const gone = await httpRequest(`${svc.url}/users/${user.id}`);
    assert.equal(gone.status, 404);
    assert.equal(await pageOf(), undefined);
  });

  it('keeps the newer value when a slow cache-aside fill of the old row races a PUT (stale-set guard)', async () => {
    const user = await createUser('Old');
    await coldProfile(user.id);
    const repository = svc.app.get<Repository<User>>(getRepositoryToken(User));
    const original = repository.findOneBy.bind(repository);
    let fillHasReadOldRow!: () => void;
    const oldRowRead = new Promise<void>((resolve) => (fillHasReadOldRow = resolve));
    let releaseFill!: () => void;
    const fillReleased = new Promise<void>((resolve) => (releaseFill = resolve));
    repository.findOneBy = async (where) => {
      const row = await original(where); // the real query: reads the old row
      fillHasReadOldRow();
      await fillReleased; // ...and is slow to write it to the cache
      return row;
    };
    try {
      const slowRead = httpRequest(`${svc.url}/users/${user.id}`);
      await oldRowRead;
      const put = await httpRequest(`${svc.url}/users/${user.id}`, { method: 'PUT', body: { name: 'New' } });
      assert.equal(put.status, 200);
      releaseFill();
      assert.equal(((await slowRead).json as { name: string }).name, 'Old');
    } finally {
      repository.findOneBy = original;
    }
    const after = await httpRequest(`${svc.url}/users/${user.id}`);
    assert.equal(after.headers.get('x-cache'), 'HIT');
    assert.equal((after.json as { name: string }).name, 'New');
  });

  it('answers 300 concurrent GETs of a cold user with one database query', async () => {
    const user = await createUser();
    await coldProfile(user.id);
    const before = await userSelects();
    const responses = await Promise.all(Array.from({ length: 300 }, () => httpRequest(`${svc.url}/users/${user.id}`)));
    assert.ok(responses.every((r) => r.status === 200));
    assert.equal((await userSelects()) - before, 1);
  });

  it('answers 300 concurrent GETs of a missing id with at most one query, then from the negative cache', async () => {
    const missingId = 9_000_000_000 + Math.floor(Math.random() * 1_000_000);
    const before = await userSelects();
    const responses = await Promise.all(Array.from({ length: 300 }, () => httpRequest(`${svc.url}/users/${missingId}`)));
    assert.ok(responses.every((r) => r.status === 404));
    const again = await httpRequest(`${svc.url}/users/${missingId}`);
    assert.equal(again.headers.get('x-cache'), 'HIT');
    assert.ok((await userSelects()) - before <= 1);
  });

  it('rejects hostile ids with 400 and writes no key for them', async () => {
    const keysBefore = await totalKeys(redis);
    for (const id of ['1:2', '*', '{1}', '1e3', '-1', '0', '01', '9223372036854775808', '9007199254740993', 'é', '%F0%9F%98%80', '1%20', '[1]', '%3F', '%2A']) {
      const response = await httpRequest(`${svc.url}/users/${id}`);
      assert.equal(response.status, 400, `${id}: ${response.text}`);
      assert.match(response.text, /id must be a positive integer/);
    }
    const hostileKeys = (await scanKeys(redis, `${svc.keyPrefix}*`)).filter((key) => /user:\{(?!\d+\})/.test(key));
    assert.deepEqual(hostileKeys, []);
    assert.ok((await totalKeys(redis)) - keysBefore < 5, 'no key per hostile request');
  });

  it('rejects bad bodies with clear 400s and duplicate emails with 409', async () => {
    const cases: [unknown, RegExp][] = [
      [{ name: 'A', email: 'not-an-email' }, /email must be a valid email address/],
      [{ name: 'A', email: 'a@example.com', admin: true }, /property admin should not exist/],
      [{ name: 'x'.repeat(201), email: 'a@example.com' }, /name must be shorter than or equal to 200 characters/],
      [{ email: 'a@example.com' }, /name should not be empty|name must be a string/],
      [{ name: 42, email: 'a@example.com' }, /name must be a string/],
    ];
    for (const [body, message] of cases) {
      const response = await httpRequest(`${svc.url}/users`, { method: 'POST', body });
      assert.equal(response.status, 400, JSON.stringify(body));
      assert.match(response.text, message);
    }
    const malformed = await httpRequest(`${svc.url}/users`, { method: 'POST', body: '{"name":', headers: { 'content-type': 'application/json' } });
    assert.equal(malformed.status, 400);
    const user = await createUser();
    const duplicate = await httpRequest(`${svc.url}/users`, { method: 'POST', body: { name: 'B', email: user.email.toUpperCase() } });
    assert.equal(duplicate.status, 409);
    const emptyPut = await httpRequest(`${svc.url}/users/${user.id}`, { method: 'PUT', body: {} });
    assert.equal(emptyPut.status, 400);
    assert.equal((await httpRequest(`${svc.url}/users/987654321`, { method: 'PUT', body: { name: 'x' } })).status, 404);
  });

  it('never crosses two users’ /me responses under concurrency, and marks them private', async () => {
    const [ada, bob] = [await createUser('Ada'), await createUser('Bob')];
    const login = async (email: string) =>
      ((await httpRequest(`${svc.url}/sessions`, { method: 'POST', body: { email } })).json as { token: string }).token;
    const tokens = new Map([
      [ada.id, await login(ada.email)],
      [bob.id, await login(bob.email)],
    ]);
    const responses = await Promise.all(
      Array.from({ length: 200 }, (_, i) => (i % 2 ? ada.id : bob.id)).map(async (id) => ({
        id,
        response: await httpRequest(`${svc.url}/me`, { headers: { authorization: `Bearer ${tokens.get(id)}` } }),
      })),
    );
    for (const { id, response } of responses) {
      assert.equal(response.status, 200);
      assert.equal((response.json as { id: number }).id, id);
      assert.equal(response.headers.get('cache-control'), 'private, max-age=0');
    }
    assert.equal((await httpRequest(`${svc.url}/me`)).status, 401);
    assert.equal((await httpRequest(`${svc.url}/me`, { headers: { authorization: 'Bearer nope' } })).status, 401);
  });

  it('shows a PUT on /me at once (its private entry is invalidated by tag) and ends sessions on logout', async () => {
    const user = await createUser('Cy');
    const { token } = (await httpRequest(`${svc.url}/sessions`, { method: 'POST', body: { email: user.email } })).json as { token: string };
    const auth = { authorization: `Bearer ${token}` };
    await httpRequest(`${svc.url}/me`, { headers: auth });
    await httpRequest(`${svc.url}/users/${user.id}`, { method: 'PUT', body: { name: 'Cy Renamed' } });
    const me = await httpRequest(`${svc.url}/me`, { headers: auth });
    assert.equal((me.json as { name: string }).name, 'Cy Renamed');
    assert.equal((await httpRequest(`${svc.url}/sessions`, { method: 'DELETE', headers: auth })).status, 204);
    assert.equal((await httpRequest(`${svc.url}/me`, { headers: auth })).status, 401);
  });

  it('shows a new order in /users/:id/summary within 1 s of the order event (eventual consistency over a stream)', async () => {
    const user = await createUser('Dee');
    const before = await httpRequest(`${svc.url}/users/${user.id}/summary`);
    assert.equal(before.status, 200);
    assert.equal((before.json as { orderCount: number }).orderCount, 0);
    const cached = await httpRequest(`${svc.url}/users/${user.id}/summary`);
    assert.equal(cached.headers.get('x-cache'), 'HIT');

    const publisher = new CacheEventPublisher(redis, { keyPrefix: svc.keyPrefix, streamMaxLength: 1_000 });
    const placedAt = new Date();
    const event = { type: ORDER_CREATED, payload: { orderId: 1, userId: user.id, totalCents: 1_999, createdAt: placedAt.toISOString(), items: [] } };
    const { event: sent } = await publisher.publish<OrderCreatedPayload>(EVENT_STREAMS.orders, event);
    const deadline = Date.now() + 1_000;
    let summary: { orderCount: number; lastOrderAt: string | null } | undefined;
    while (Date.now() < deadline) {
      summary = (await httpRequest(`${svc.url}/users/${user.id}/summary`)).json as typeof summary;
      if (summary?.orderCount === 1) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.equal(summary?.orderCount, 1, 'the order shows within 1 s');
    assert.equal(summary?.lastOrderAt, placedAt.toISOString());

    // the same event delivered again (at-least-once) is not counted twice
    await publisher.publish<OrderCreatedPayload>(EVENT_STREAMS.orders, { ...event, id: sent.id });
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(((await httpRequest(`${svc.url}/users/${user.id}/summary`)).json as { orderCount: number }).orderCount, 1);
  });

  it('reads profile and order figures of a summary with one MGET of one hash slot', async () => {
    const user = await createUser('Eve');
    await httpRequest(`${svc.url}/users/${user.id}/summary`);
    const node = nodeForKey(redis, `${svc.keyPrefix}users:user:{${user.id}}:profile`);
    const commands: string[][] = [];
    const monitor = await monitorRedis(node.options.host!, node.options.port!, ({ args }) => {
      if (args.some((arg) => arg.includes(`user:{${user.id}}`))) commands.push(args);
    });
    const response = await httpRequest(`${svc.url}/users/${user.id}/summary`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    monitor.stop();
    assert.equal(response.headers.get('x-cache'), 'HIT');
    assert.deepEqual(commands.map((args) => args[0].toLowerCase()), ['mget']);
    assert.deepEqual(commands[0].slice(1), [`${svc.keyPrefix}users:user:{${user.id}}:profile`, `${svc.keyPrefix}users:user:{${user.id}}:orders`]);
  });
});
