import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import type { Redis } from 'ioredis';
import { fileKeyPrefix } from '../support/key-prefix.js';
import { ServiceProcess } from '../support/service-process.js';
import { scanKeys, sharedRedis, unique } from './hostile-support.js';

/**
 * Property-based fuzzing of everything a client controls that could reach a Redis key: ids,
 * query strings, bodies and headers, with key syntax (`: { } * ? [ ]`), unicode and very long
 * strings, against users and catalog as real processes. Every answer is a 4xx or a success,
 * never a 5xx; afterwards every key in Redis is well-formed; and no invalidation reaches
 * beyond its own category.
 */
const report = (line: string) => console.log(`[reliability] ${line}`);
const RUNS = 200;

const hostileChar = fc.constantFrom(':', '{', '}', '*', '?', '[', ']', ' ', '\\', '%', '#', '/', '..', '~', '|', '"', 'é', 'ß', '😀', '\u0000', '\n', 'a', 'Z', '1', '-', '_');
const hostile = fc.oneof(
  fc.array(hostileChar, { maxLength: 40 }).map((parts) => parts.join('')),
  // valid for one field or another, so some reach a key: idempotency keys with `:`, slugs, visitor ids
  fc.stringMatching(/^[A-Za-z0-9_.:-]{8,40}$/),
  fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,20}$/),
  fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme-ascii', minLength: 200, maxLength: 3_000 }),
  fc.array(hostileChar, { minLength: 300, maxLength: 2_000 }).map((parts) => parts.join('')),
);
/** The text with lone surrogates replaced (U+FFFD), as JSON and URLs carry it. */
const wellFormed = (text: string) => Buffer.from(text, 'utf8').toString('utf8');
const inUrl = (text: string) => encodeURIComponent(wellFormed(text));
/** What a header value can carry: visible ASCII only (fetch refuses the rest itself). */
const asHeader = (text: string) => text.replace(/[^\x21-\x7e]/g, '') || '*';

const ID = /^[1-9][0-9]{0,15}$/;
const CATEGORY = /^[a-z0-9][a-z0-9-]{0,63}$/;

/**
 * A key the project writes: prefix, service, entity, then segments of safe bytes, `%XX`
 * escapes, a `~digest`, or one `{hash tag}` made of the same; `#` only for the library's own
 * suffixes (`#lock`, `#tag:`, `#gen:`).
 */
function assertWellFormed(key: string, prefix: string): void {
  assert.ok(key.startsWith(prefix), key);
  const rest = key.slice(prefix.length);
  assert.match(rest, /^(users|catalog|dashboard|events)[:.]/, `unexpected namespace: ${key}`);
  assert.doesNotMatch(rest, /[*?[\]\\\s"|]/, `key holds a pattern or control character: ${key}`);
  assert.ok(Buffer.byteLength(key) === key.length, `key holds raw non-ASCII: ${key}`);
  for (const segment of rest.split(':')) {
    assert.match(segment, /^(\{[A-Za-z0-9_.%~-]*\}|[A-Za-z0-9_.%~#-]*)$/, `segment "${segment}" of ${key}`);
  }
  assert.ok(key.length < 400, `key of ${key.length} characters`);
}

describe('key injection: fuzzed ids, queries, bodies and headers against users and catalog (real processes)', () => {
  const prefix = fileKeyPrefix();
  let users: ServiceProcess;
  let catalog: ServiceProcess;
  let redis: Redis;
  let requests = 0;
  /** Accepted idempotency keys holding `:`, the one key-syntax character validation lets through. */
  const colonKeys: string[] = [];
  const statuses = new Map<number, number>();

  const send = async (service: ServiceProcess, path: string, options: Parameters<ServiceProcess['request']>[1] = {}) => {
    const response = await service.request(path, { timeoutMs: 10_000, ...options });
    requests += 1;
    statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
    assert.ok(response.status < 500, `${options.method ?? 'GET'} ${path.slice(0, 200)} → ${response.status} ${response.text.slice(0, 300)}`);
    return response;
  };
  const product = async (category: string) => {
    const created = await send(catalog, '/products', {
      method: 'POST',
      body: { sku: `INJ-${unique()}`, name: 'Injected', category, priceCents: 100, stock: 5 },
    });
    assert.equal(created.status, 201, created.text);
    return created.json as { id: number };
  };

  before(async () => {
    [users, catalog] = await Promise.all([
      ServiceProcess.start('users', { env: { CACHE_PREFIX: prefix } }),
      ServiceProcess.start('catalog', { env: { CACHE_PREFIX: prefix, WARM_INTERVAL_MS: '0' } }),
    ]);
    redis = sharedRedis();
  });
  after(async () => {
    report(`key injection: ${requests} fuzzed requests, statuses ${JSON.stringify(Object.fromEntries(statuses))}`);
    redis?.disconnect();
    await Promise.all([users?.stop(), catalog?.stop()]);
  });

  it('ids in every route: 400 unless a plain positive integer, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(hostile, async (raw) => {
        const id = inUrl(raw);
        const valid = ID.test(raw);
        for (const [service, path, method] of [
          [users, `/users/${id}`, 'GET'],
          [users, `/users/${id}/summary`, 'GET'],
          [catalog, `/products/${id}`, 'GET'],
          [catalog, `/products/${id}/views`, 'POST'],
        ] as const) {
          const response = await send(service, path, { method });
          if (!valid) assert.ok(response.status === 400 || response.status === 404 || response.status === 414, `${path.slice(0, 120)} → ${response.status}`);
          // a 404 for a hostile id may only be "no such route" (a `/` in it), never a lookup's "not found"
          if (!valid) assert.doesNotMatch(response.text, /(user|product) \S+ not found/, `a hostile id reached a lookup: ${path.slice(0, 120)}`);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('query strings: 400 unless valid, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(hostile, fc.oneof(hostile, fc.integer().map(String)), async (category, page) => {
        const list = await send(catalog, `/products?category=${inUrl(category)}&page=${inUrl(page)}&limit=5`);
        const valid = CATEGORY.test(category) && /^\d+$/.test(page) && Number(page) >= 1 && Number(page) <= 10_000;
        assert.equal(list.status === 200, valid, `category ${JSON.stringify(category.slice(0, 80))} page ${JSON.stringify(page.slice(0, 40))} → ${list.status}`);
        await send(users, `/users?page=${inUrl(page)}&${inUrl(category)}=${inUrl(page)}`);
        await send(catalog, `/products/trending?limit=${inUrl(page)}`);
        await send(users, `/me?${inUrl(category)}=1`, { headers: { authorization: `Bearer ${asHeader(category)}` } });
      }),
      { numRuns: RUNS },
    );
  });

  it('bodies and headers: hostile names are stored as data, hostile categories, keys and visitor ids are 400s', async () => {
    const target = await product(`inj-${unique()}`);
    await fc.assert(
      fc.asyncProperty(hostile, async (text) => {
        const name = wellFormed(text);
        // Postgres cannot store NUL in text: such a name is a 400 too.
        const validName = name.trim().length > 0 && name.trim().length <= 200 && !name.includes('\u0000');
        const created = await send(users, '/users', { method: 'POST', body: { name, email: `fuzz-${unique()}@example.com` } });
        assert.equal(created.status === 201, validName, `user name ${JSON.stringify(name.slice(0, 80))} → ${created.status}`);
        if (created.status === 201) {
          const id = (created.json as { id: number }).id;
          const read = await send(users, `/users/${id}`);
          assert.equal((read.json as { name: string }).name, name.trim(), 'the name round-trips through the cache');
        }
        const renamed = await send(catalog, `/products/${target.id}`, { method: 'PUT', body: { name } });
        assert.equal(renamed.status === 200, validName, `product name → ${renamed.status}`);
        const moved = await send(catalog, '/products', {
          method: 'POST',
          body: { sku: `INJ-${unique()}`, name: 'x', category: name, priceCents: 1, stock: 1 },
        });
        assert.equal(moved.status === 201, CATEGORY.test(name.trim()), `category ${JSON.stringify(name.slice(0, 80))} → ${moved.status}`);
        const stock = await send(catalog, `/products/${target.id}/stock`, { method: 'PATCH', body: { delta: 1, idempotencyKey: name } });
        assert.equal(stock.status < 300, /^[A-Za-z0-9_.:-]{8,128}$/.test(name), `idempotencyKey → ${stock.status}`);
        if (stock.status < 300 && name.includes(':')) colonKeys.push(name);
        const view = await send(catalog, `/products/${target.id}/views`, { method: 'POST', headers: { 'x-visitor-id': asHeader(name) } });
        assert.equal(view.status === 202, /^[A-Za-z0-9_-]{1,64}$/.test(asHeader(name)), `x-visitor-id → ${view.status}`);
      }),
      { numRuns: RUNS },
    );
  });

  it('every key in Redis is well-formed: no pattern characters, raw unicode or stray braces from user input', async () => {
    const keys = await scanKeys(redis, prefix);
    assert.ok(keys.length > 50, `only ${keys.length} keys: the fuzzing wrote nothing`);
    for (const key of keys) assertWellFormed(key, prefix);
    assert.ok(colonKeys.length > 0, 'no idempotency key with a colon was fuzzed');
    for (const idempotencyKey of colonKeys) {
      assert.ok(!keys.some((key) => key.endsWith(`:${idempotencyKey}`)), `idempotency key ${idempotencyKey} is in a key unencoded`);
      assert.ok(keys.includes(`${prefix}catalog:stock-op:{stock}:${idempotencyKey.replaceAll(':', '%3A')}`), `no encoded key for ${idempotencyKey}`);
    }
    report(`key injection: ${keys.length} keys written under fuzzing, all well-formed; ${colonKeys.length} idempotency keys with ':' encoded`);
  });

  it("a change in one category never invalidates another category's pages, whatever the fuzzed update says", async () => {
    const stay = `stay-${unique()}`;
    const stayPage = `/products?category=${stay}&limit=5`;
    await product(stay);
    const moving = await product(`mov-${unique()}`);
    await send(catalog, stayPage);
    await new Promise((resolve) => setTimeout(resolve, 300)); // the insert's CDC invalidation lands first
    await send(catalog, stayPage);
    assert.equal((await send(catalog, stayPage)).headers.get('x-cache'), 'HIT');
    await fc.assert(
      fc.asyncProperty(fc.oneof(hostile, fc.constantFrom('*', `${stay.slice(0, 4)}*`, 'stay-*', '?', '[s]*', `${stay}*`, `*${stay.slice(5)}`)), async (category) => {
        fc.pre(category.trim() !== stay);
        await send(catalog, `/products/${moving.id}`, { method: 'PUT', body: { category, name: wellFormed(`moved to ${category.slice(0, 50)}`) } });
      }),
      { numRuns: RUNS },
    );
    await new Promise((resolve) => setTimeout(resolve, 500)); // CDC of every accepted move
    assert.equal((await send(catalog, stayPage)).headers.get('x-cache'), 'HIT', 'an update elsewhere invalidated this category');
  });
});
