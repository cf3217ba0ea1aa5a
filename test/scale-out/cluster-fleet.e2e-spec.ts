import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Cluster } from 'ioredis';
import { createProduct, type ProductBody, productSelects } from '../catalog/catalog-support.js';
import { freePorts } from '../support/free-port.js';
import { fileKeyPrefix } from '../support/key-prefix.js';
import { type RedisMonitor, monitorRedis } from '../support/redis-monitor.js';
import { metricValue } from '../support/service-app.js';
import { ServiceProcess, type ServiceName } from '../support/service-process.js';
import { clusterOnly, createTestRedis, keysPerMaster, mastersOf, testRedisReady } from '../support/test-redis.js';
import { delay, waitUntil } from '../support/wait.js';

/**
 * Two instances of every service on the run's Redis Cluster, with the in-process L1 tier on
 * for user profiles and product details. Representative traffic through both instances,
 * recorded with MONITOR on every master: every multi-key command and every MULTI stays in one
 * slot, no master holds more than 45 % of the keys, and L1 stays coherent across instances.
 */
const L1_TTL_MS = 5_000;
/** How long after a write the other instance may still serve the old value (pub/sub delivery). */
const STALE_BOUND_MS = 500;
const MAX_SHARE_PER_MASTER = 0.45;

interface Recorded {
  args: string[];
  source: string;
}

describe('two instances of each service on a Redis Cluster', clusterOnly(), () => {
  const prefix = fileKeyPrefix();
  const fleet: Record<ServiceName, ServiceProcess[]> = { users: [], catalog: [], dashboard: [] };
  let redis: Cluster;
  const monitors: RedisMonitor[] = [];
  const recorded: Recorded[] = [];
  let crossSlotBefore = 0;

  const crossSlotErrors = async () => {
    let total = 0;
    for (const node of mastersOf(redis)) total += Number(/errorstat_CROSSSLOT:count=(\d+)/.exec(String(await node.info('errorstats')))?.[1] ?? 0);
    return total;
  };

  before(async () => {
    redis = createTestRedis() as Cluster;
    await testRedisReady(redis);
    const env = { CACHE_PREFIX: prefix, CACHE_L1_TTL_MS: String(L1_TTL_MS), WARM_INTERVAL_MS: '0' };
    const services: ServiceName[] = ['users', 'users', 'catalog', 'catalog', 'dashboard'];
    const ports = await freePorts(services.length); // distinct ports: parallel freePort() calls may collide
    const started = await Promise.all(
      services.map((service, i) =>
        ServiceProcess.start(service, {
          env: { ...env, PORT: String(ports[i]), CACHE_L1_ENTITIES: service === 'users' ? 'user' : service === 'catalog' ? 'product' : undefined },
          readyTimeoutMs: 40_000,
        }),
      ),
    );
    for (const service of started) fleet[service.service].push(service);
    crossSlotBefore = await crossSlotErrors();
    for (const node of mastersOf(redis)) {
      const monitor = await monitorRedis(node.options.host!, node.options.port!, ({ args, source }) => {
        // MULTI and EXEC carry no key: keep them to group each transaction's commands.
        if (/^(multi|exec)$/i.test(args[0]) || args.some((arg) => arg.startsWith(prefix))) recorded.push({ args, source });
      });
      monitors.push(monitor);
    }
  });

  after(async () => {
    for (const monitor of monitors) monitor.stop();
    await Promise.all(Object.values(fleet).flat().map((service) => service.stop()));
    redis?.disconnect();
  });

  /** Users, sessions, products, views, stock, orders, lists and stats, spread over both instances. */
  async function representativeTraffic(): Promise<void> {
    const [u1, u2] = fleet.users;
    const [c1, c2] = fleet.catalog;
    const [d] = fleet.dashboard;
    const users: { id: number; email: string }[] = [];
    for (let i = 0; i < 60; i++) {
      const email = `fleet-${randomBytes(4).toString('hex')}@example.com`;
      const created = await (i % 2 ? u1 : u2).request('/users', { method: 'POST', body: { name: `Fleet ${i}`, email } });
      assert.equal(created.status, 201, created.text);
      users.push({ id: (created.json as { id: number }).id, email });
    }
    for (const [i, user] of users.entries()) {
      await u1.request(`/users/${user.id}`);
      await u2.request(`/users/${user.id}`);
      if (i % 3 === 0) await u1.request(`/users/${user.id}`, { method: 'PUT', body: { name: `Renamed ${i}` } });
      if (i % 5 === 0) await u2.request(`/users/${user.id}/summary`);
    }
    await u1.request('/users?page=1&limit=10');
    await u2.request('/users?page=2&limit=10');
    const session = await u1.request('/sessions', { method: 'POST', body: { email: users[0].email } });
    const token = (session.json as { token: string }).token;
    await u2.request('/me', { headers: { authorization: `Bearer ${token}` } });
    await u1.request(`/users/${users.at(-1)!.id}`, { method: 'DELETE' });

    const products: ProductBody[] = [];
    for (let i = 0; i < 60; i++) products.push(await createProduct((i % 2 ? c1 : c2).url, { category: `fleet-${i % 4}` }));
    for (const [i, product] of products.entries()) {
      await c1.request(`/products/${product.id}`);
      await c2.request(`/products/${product.id}`);
      await (i % 2 ? c1 : c2).request(`/products/${product.id}/views`, { method: 'POST', headers: { 'x-visitor-id': `v${i}` } });
      if (i % 4 === 0) {
        await c1.request(`/products/${product.id}/stock`, { method: 'PATCH', body: { delta: -1, idempotencyKey: `fleet-${product.id}` } });
      }
      if (i % 10 === 0) await c2.request(`/products/${product.id}`, { method: 'PUT', body: { priceCents: 999 } });
    }
    for (let category = 0; category < 4; category++) await c1.request(`/products?category=fleet-${category}&page=1&limit=10`);
    await c2.request('/products?page=1&limit=10');
    await c1.request('/products/trending');
    const order = await c2.request('/orders', {
      method: 'POST',
      body: { userId: users[0].id, items: [{ productId: products[0].id, quantity: 1 }], paymentMethod: 'card' },
    });
    assert.ok(order.status < 300, order.text);
    await d.request('/stats');
    await d.request('/stats/visitors');
    await d.request('/cache');
    await delay(1_500); // write-behind flushes, event consumers and debounced recomputes run
  }

  it('keeps every multi-key command and every MULTI in one hash slot under representative traffic (no CROSSSLOT)', async () => {
    await representativeTraffic();
    // Stop recording first: the GETKEYS / KEYSLOT probes below carry the prefix too.
    for (const monitor of monitors) monitor.stop();
    const traffic = [...recorded];
    const probe = mastersOf(redis)[0];
    const keysOf = async (args: string[]): Promise<string[]> => {
      try {
        return ((await probe.call('COMMAND', 'GETKEYS', ...args)) as string[]).map(String);
      } catch {
        return []; // keyless command (PING, TIME, MULTI, EXEC, ...)
      }
    };
    const slotOf = async (key: string) => Number(await probe.call('CLUSTER', 'KEYSLOT', key));

    const checked: { command: string; slots: Set<number> }[] = [];
    for (const { args } of traffic) {
      const keys = await keysOf(args);
      if (keys.length > 1) checked.push({ command: `${args[0].toLowerCase()} ${keys.length} keys`, slots: new Set(await Promise.all(keys.map(slotOf))) });
    }
    // MONITOR prints a transaction's commands after its EXEC, each from the same client: group them by client and MULTI.
    let current: { source: string; slots: Set<number>; commands: string[] } | undefined;
    const multis: { commands: string[]; slots: Set<number> }[] = [];
    for (const { args, source } of traffic) {
      const command = args[0].toLowerCase();
      if (command === 'multi') current = { source, slots: new Set(), commands: [] };
      else if (command === 'exec') {
        if (current?.source === source && current.commands.length) multis.push(current);
        current = undefined;
      } else if (current && current.source === source) {
        current.commands.push(command);
        for (const slot of await Promise.all((await keysOf(args)).map(slotOf))) current.slots.add(slot);
      }
    }
    const spread = [...checked.filter((c) => c.slots.size > 1).map((c) => c.command), ...multis.filter((m) => m.slots.size > 1).map((m) => `MULTI ${m.commands.join(',')}`)];
    assert.ok(checked.length + multis.length >= 10, `only ${checked.length} multi-key commands and ${multis.length} transactions recorded`);
    assert.deepEqual(spread, [], 'operations spanning several slots');
    assert.equal((await crossSlotErrors()) - crossSlotBefore, 0, 'CROSSSLOT errors on the masters');
    const kinds = new Set([...checked.map((c) => c.command.split(' ')[0]), ...multis.map((m) => `multi(${[...new Set(m.commands)].join(',')})`)]);
    console.log(`slot check: ${traffic.length} commands recorded, ${checked.length} multi-key commands and ${multis.length} transactions, all in one slot: ${[...kinds].join(' ')}`);
  });

  it(`spreads the project's keys: no master holds more than ${MAX_SHARE_PER_MASTER * 100} % of them`, async () => {
    const perMaster = await keysPerMaster(redis, `${prefix}*`);
    const total = [...perMaster.values()].reduce((sum, n) => sum + n, 0);
    assert.ok(total >= 100, `${total} keys after the traffic`);
    for (const [node, count] of perMaster) {
      assert.ok(count / total <= MAX_SHARE_PER_MASTER, `${node} holds ${count} of ${total} keys: ${JSON.stringify(Object.fromEntries(perMaster))}`);
    }
    console.log(`keys per master: ${JSON.stringify(Object.fromEntries(perMaster))} (total ${total})`);
  });

  /** Reads `path` on `reader` until `done(body)`; returns how long after `since` it took. */
  async function timeUntil(reader: ServiceProcess, path: string, done: (body: unknown) => boolean, since: number): Promise<number> {
    await waitUntil(async () => done((await reader.request(path)).json), { timeoutMs: L1_TTL_MS * 2, intervalMs: 5, what: `${path} on the other instance` });
    return performance.now() - since;
  }

  it('serves a write on one users instance from the other within the bound, its L1 copy dropped by pub/sub', async () => {
    const [writer, reader] = fleet.users;
    const created = await writer.request('/users', { method: 'POST', body: { name: 'Before', email: `l1-${randomBytes(4).toString('hex')}@example.com` } });
    const id = (created.json as { id: number }).id;
    const l1Hits = () => reader.request('/metrics').then((r) => metricValue(r.text, 'cache_l1_events_total', { event: 'hit' }));
    for (let i = 0; i < 3; i++) await reader.request(`/users/${id}`);
    const hitsBefore = await l1Hits();
    await reader.request(`/users/${id}`);
    assert.ok((await l1Hits()) > hitsBefore, 'the reader serves the profile from its L1');

    const since = performance.now();
    const put = await writer.request(`/users/${id}`, { method: 'PUT', body: { name: 'After' } });
    assert.equal(put.status, 200, put.text);
    const staleMs = await timeUntil(reader, `/users/${id}`, (body) => (body as { name?: string }).name === 'After', since);
    assert.ok(staleMs < STALE_BOUND_MS, `the reader served the old name for ${Math.round(staleMs)} ms (L1 TTL ${L1_TTL_MS} ms)`);
  });

  it('does not serve a stale L1 copy when the subscriber was cut (CLIENT KILL) during the write, and resumes L1 after healing', async () => {
    const [writer, reader] = fleet.catalog;
    const product = await createProduct(writer.url);
    await delay(200); // the insert's own CDC invalidation
    for (let i = 0; i < 3; i++) await reader.request(`/products/${product.id}`);

    // Cut the reader's subscriber wherever it is connected (it picks one node of the cluster).
    const name = `l1:catalog:${reader.pid}`;
    let killed = 0;
    for (const node of redis.nodes('all')) {
      const list = String(await node.call('CLIENT', 'LIST', 'TYPE', 'pubsub'));
      for (const line of list.split('\n').filter((l) => l.includes(` name=${name} `))) {
        killed += Number(await node.call('CLIENT', 'KILL', 'ID', /\bid=(\d+)/.exec(line)![1]));
      }
    }
    assert.equal(killed, 1, `the reader's subscriber (${name}) was found and cut`);
    const since = performance.now();
    const put = await writer.request(`/products/${product.id}`, { method: 'PUT', body: { priceCents: 4_242 } });
    assert.equal(put.status, 200, put.text);
    const staleMs = await timeUntil(reader, `/products/${product.id}`, (body) => (body as ProductBody).priceCents === 4_242, since);
    assert.ok(staleMs < STALE_BOUND_MS + 1_000, `the reader served the old price for ${Math.round(staleMs)} ms (L1 TTL ${L1_TTL_MS} ms)`);

    const l1Hits = () => reader.request('/metrics').then((r) => metricValue(r.text, 'cache_l1_events_total', { event: 'hit' }));
    await waitUntil(
      async () => {
        const before = await l1Hits();
        await reader.request(`/products/${product.id}`);
        await reader.request(`/products/${product.id}`);
        return (await l1Hits()) > before;
      },
      { timeoutMs: 5_000, what: 'the healed subscriber to serve L1 hits again' },
    );
  });

  it('loads a cold product once for 400 concurrent GETs across both catalog instances', async () => {
    const [a, b] = fleet.catalog;
    const product = await createProduct(a.url);
    await delay(200);
    await redis.unlink(`${prefix}catalog:product:{${product.id}}:v`); // cold, whatever the insert left behind
    const before = (await productSelects(a.url)) + (await productSelects(b.url));
    const responses = await Promise.all(Array.from({ length: 400 }, (_, i) => (i % 2 ? a : b).request(`/products/${product.id}`)));
    assert.deepEqual(new Set(responses.map((r) => r.status)), new Set([200]));
    const loads = (await productSelects(a.url)) + (await productSelects(b.url)) - before;
    assert.equal(loads, 1, `${loads} loads for 400 concurrent reads`);
  });
});
