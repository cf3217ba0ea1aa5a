import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MAX_BODY_BYTES } from '@app/platform';
import { ServiceProcess } from '../support/service-process.js';
import { fileKeyPrefix } from '../support/key-prefix.js';
import { unique } from './hostile-support.js';

/** Malformed, mistyped, oversized and over-specified bodies, on both HTTP adapters, against real processes. */
const report = (line: string) => console.log(`[reliability] ${line}`);

interface Case {
  name: string;
  path: string;
  method: string;
  body: string;
  contentType?: string;
  /** 0: any 4xx. */
  status: number;
  message: RegExp;
}

const email = () => `body-${unique()}@example.com`;
const CASES: Case[] = [
  { name: 'malformed JSON', path: '/users', method: 'POST', body: '{"name": "Ada", "email": ', status: 400, message: /JSON|Unexpected|parse/i },
  { name: 'JSON that is not an object', path: '/users', method: 'POST', body: '"just a string"', status: 400, message: /name|object|JSON/i },
  { name: 'name of the wrong type', path: '/users', method: 'POST', body: JSON.stringify({ name: 42, email: email() }), status: 400, message: /name must be a string/ },
  { name: 'email missing', path: '/users', method: 'POST', body: JSON.stringify({ name: 'Ada' }), status: 400, message: /email/ },
  { name: 'unknown field', path: '/users', method: 'POST', body: JSON.stringify({ name: 'Ada', email: email(), isAdmin: true }), status: 400, message: /property isAdmin should not exist/ },
  { name: 'price of the wrong type', path: '/products', method: 'POST', body: JSON.stringify({ sku: `B-${unique()}`, name: 'x', category: 'b', priceCents: '12', stock: 1 }), status: 400, message: /priceCents must be an integer/ },
  { name: 'negative stock and a float price', path: '/products', method: 'POST', body: JSON.stringify({ sku: `B-${unique()}`, name: 'x', category: 'b', priceCents: 1.5, stock: -1 }), status: 400, message: /priceCents must be an integer.*stock must not be less than 0|stock must not be less than 0.*priceCents/s },
  { name: 'unknown field on a product', path: '/products', method: 'POST', body: JSON.stringify({ sku: `B-${unique()}`, name: 'x', category: 'b', priceCents: 1, stock: 1, views: 1e9 }), status: 400, message: /property views should not exist/ },
  { name: 'huge body', path: '/users', method: 'POST', body: JSON.stringify({ name: 'x'.repeat(MAX_BODY_BYTES + 1), email: email() }), status: 413, message: /large|limit/i },
  { name: 'huge product body', path: '/products', method: 'POST', body: JSON.stringify({ sku: 'x', name: 'y'.repeat(2 * MAX_BODY_BYTES) }), status: 413, message: /large|limit/i },
  // Both adapters parse forms (Nest registers a form parser on Fastify), so this reaches validation.
  { name: 'form body with a bad email', path: '/users', method: 'POST', body: 'name=Ada&email=not-an-email', contentType: 'application/x-www-form-urlencoded', status: 400, message: /email must be a valid email address/ },
  { name: 'unparseable content type', path: '/users', method: 'POST', body: '<user/>', contentType: 'application/xml', status: 0, message: /./ },
];

for (const adapter of ['fastify', 'express'] as const) {
  describe(`hostile request bodies on ${adapter} (users and catalog as real processes)`, () => {
    let users: ServiceProcess;
    let catalog: ServiceProcess;
    before(async () => {
      const env = { HTTP_ADAPTER: adapter, CACHE_PREFIX: fileKeyPrefix(), WARM_INTERVAL_MS: '0' };
      [users, catalog] = await Promise.all([ServiceProcess.start('users', { env }), ServiceProcess.start('catalog', { env })]);
    });
    after(async () => {
      await Promise.all([users?.stop(), catalog?.stop()]);
    });

    it('answers every bad body with a 4xx and a message saying what is wrong, never a 5xx', async () => {
      const outcomes: string[] = [];
      for (const c of CASES) {
        const service = c.path.startsWith('/users') ? users : catalog;
        const response = await service.request(c.path, { method: c.method, body: c.body, headers: { 'content-type': c.contentType ?? 'application/json' } });
        const message = JSON.stringify((response.json as { message?: unknown } | undefined)?.message ?? response.text);
        outcomes.push(`${c.name} ${response.status}`);
        if (c.status === 0) {
          // no parser for it: Fastify refuses the type (415), Express sees no body (validation's 400)
          assert.ok(response.status === 415 || response.status === 400, `${c.name}: ${response.status} ${response.text.slice(0, 300)}`);
        } else {
          assert.equal(response.status, c.status, `${c.name}: ${response.status} ${response.text.slice(0, 300)}`);
        }
        assert.match(message, c.message, `${c.name}: unclear message ${message}`);
      }
      report(`request bodies (${adapter}): ${outcomes.join(', ')}`);
      assert.ok(users.running && catalog.running);
    });
  });
}
